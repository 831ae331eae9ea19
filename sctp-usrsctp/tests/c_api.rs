//! The C side of the library: the `usrsctp.h` that `install.sh --header`
//! generates with cbindgen, C programs compiled against it and linked with
//! this crate's `libusrsctp.so.2`, and `install.sh` itself.
//!
//! * Header: it declares exactly the `usrsctp_*` functions the library
//!   exports and every item of `src/abi.rs`; against Debian's
//!   `/usr/include/usrsctp.h` (libusrsctp-dev), every numeric macro has the
//!   same value and type, every struct, union and typedef the same size,
//!   alignment and field offsets, every prototype of Debian's header may be
//!   redeclared after ours (same types) and names a function we export; it
//!   compiles as C++ with C linkage.
//! * Programs (`tests/c/*.c`, AF_CONN without threads, packets carried by
//!   hand): `one_to_many`, `notifications`, `sockopts`, `stream_reset`. Each
//!   prints `ok ...` / `FAIL ...` per check and exits non-zero on any
//!   failure. Each also runs against Debian's library and header
//!   (`reference_*` tests), which checks the programs themselves: what they
//!   expect is what usrsctp does.
//! * `install.sh --no-build --profile <this build's>`: into a temporary
//!   prefix (and with `DESTDIR`); `pkg-config --cflags --libs usrsctp`, a
//!   program built with those flags, and one linked with the static library
//!   and `pkg-config --static --libs`.
//!
//! What is missing (gcc, cbindgen, pkg-config, Debian's header) makes the
//! tests that need it print `SKIP:` and return. The library under test is
//! the cdylib Cargo built with this test binary (`target/<profile>/deps`, or
//! the copy one level up if newer), or `$SCTP_USRSCTP_LIB`.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// This crate's directory.
const CRATE_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// Cargo's scratch directory for integration tests.
const TMP: &str = env!("CARGO_TARGET_TMPDIR");
/// Debian's header (libusrsctp-dev).
const REAL_HEADER: &str = "/usr/include/usrsctp.h";
/// How long a C program may run.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// Tools, scratch directories, processes
// ---------------------------------------------------------------------------

/// The first of `tools` that cannot be run, if any.
fn missing(tools: &[&str]) -> Option<String> {
    tools
        .iter()
        .find(|t| {
            Command::new(t)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .map(|t| (*t).to_owned())
}

/// Prints `SKIP:` and returns from the test when a tool is missing.
macro_rules! need {
    ($test:expr, $($tool:expr),+) => {
        if let Some(t) = missing(&[$($tool),+]) {
            eprintln!(
                "SKIP: {}: `{t}` not found (install it: apt-get install {})",
                $test,
                if t == "g++" { "g++" } else { t.as_str() }
            );
            return;
        }
    };
}

/// An empty scratch directory `c_api/<name>`.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(TMP).join("c_api").join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap_or_else(|e| panic!("mkdir {}: {e}", d.display()));
    d
}

/// A finished process.
struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Ran {
    /// Everything about it, for a failure message.
    fn dump(&self) -> String {
        format!(
            "exit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` to the end (killed after `timeout`), its output in files of
/// `dir` (no pipe to fill up).
fn run(cmd: &mut Command, dir: &Path, tag: &str, timeout: Duration) -> Ran {
    let out = dir.join(format!("{tag}.stdout"));
    let err = dir.join(format!("{tag}.stderr"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).expect("stdout file"))
        .stderr(fs::File::create(&err).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let mut partial = String::new();
            let _ = fs::File::open(&out).and_then(|mut f| f.read_to_string(&mut partial));
            panic!("{cmd:?} did not finish within {timeout:?}; its output:\n{partial}");
        }
        sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    Ran {
        status,
        stdout: read(&out),
        stderr: read(&err),
    }
}

/// Runs a short command (a compiler, a tool) in `dir`.
fn tool<I, S>(program: &str, args: I, dir: &Path, tag: &str) -> Ran
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = Command::new(program);
    c.args(args).current_dir(dir);
    run(&mut c, dir, tag, Duration::from_secs(600))
}

/// Like [`tool`], panicking with the output unless it succeeds.
fn tool_ok<I, S>(program: &str, args: I, dir: &Path, tag: &str) -> Ran
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let r = tool(program, args, dir, tag);
    assert!(
        r.status.success(),
        "{program} ({tag}) failed:\n{}",
        r.dump()
    );
    r
}

// ---------------------------------------------------------------------------
// What is under test: the library, the header, install.sh
// ---------------------------------------------------------------------------

/// `target/<profile>` of this test binary.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/c_api-HASH")
        .to_path_buf()
}

/// Our cdylib: `$SCTP_USRSCTP_LIB`, or the newer of
/// `target/<profile>/deps/libusrsctp.so` (a test build leaves it there) and
/// `target/<profile>/libusrsctp.so` (`cargo build` copies it up).
fn our_library() -> PathBuf {
    if let Some(p) = std::env::var_os("SCTP_USRSCTP_LIB") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "SCTP_USRSCTP_LIB={} is not a file",
            p.display()
        );
        return p;
    }
    let profile = profile_dir();
    [
        profile.join("deps/libusrsctp.so"),
        profile.join("libusrsctp.so"),
    ]
    .into_iter()
    .filter_map(|c| Some((fs::metadata(&c).ok()?.modified().ok()?, c)))
    .max_by_key(|(t, _)| *t)
    .map(|(_, c)| c)
    .unwrap_or_else(|| {
        panic!(
            "libusrsctp.so is not built in {} (cargo build -p sctp-usrsctp)",
            profile.display()
        )
    })
}

/// A directory holding our library as `libusrsctp.so.2` and `libusrsctp.so`
/// (a symlink), for `-L`, `-Wl,-rpath` and the loader.
fn lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = scratch("lib");
        let lib = our_library();
        fs::copy(&lib, d.join("libusrsctp.so.2"))
            .unwrap_or_else(|e| panic!("copy {}: {e}", lib.display()));
        std::os::unix::fs::symlink("libusrsctp.so.2", d.join("libusrsctp.so")).expect("symlink");
        d
    })
}

/// `install.sh` of this crate.
fn install_sh() -> PathBuf {
    Path::new(CRATE_DIR).join("install.sh")
}

/// The directory of the `usrsctp.h` that `install.sh --header` generates
/// (once per test run; panics with install.sh's output if it fails).
fn header_dir() -> &'static Path {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = DIR.get_or_init(|| {
        let d = scratch("include");
        let header = d.join("usrsctp.h");
        let r = run(
            Command::new("bash")
                .arg(install_sh())
                .arg("--header")
                .arg(&header),
            &d,
            "install-header",
            Duration::from_secs(300),
        );
        if r.status.success() && header.is_file() {
            Ok(d)
        } else {
            Err(r.dump())
        }
    });
    match r {
        Ok(d) => d,
        Err(e) => panic!("install.sh --header failed:\n{e}"),
    }
}

/// `tests/c`.
fn c_dir() -> PathBuf {
    Path::new(CRATE_DIR).join("tests/c")
}

/// Flags every C program is compiled with.
const CFLAGS: &[&str] = &["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-g"];

// ---------------------------------------------------------------------------
// The C programs
// ---------------------------------------------------------------------------

/// What a program's run must show: exit status 0, no `FAIL` line,
/// `RESULT: ok`, and a line starting with `ok <e>` for each of `expect`.
fn check_run(label: &str, r: &Ran, expect: &[&str]) {
    let lines: Vec<&str> = r.stdout.lines().collect();
    let failed: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("FAIL") || l.starts_with("RESULT: aborted"))
        .collect();
    let absent: Vec<&str> = expect
        .iter()
        .copied()
        .filter(|e| !lines.iter().any(|l| l.starts_with(&format!("ok {e}"))))
        .collect();
    if r.status.success() && failed.is_empty() && absent.is_empty() && lines.contains(&"RESULT: ok")
    {
        return;
    }
    let mut msg = format!("{label}:\n");
    for f in &failed {
        let _ = writeln!(msg, "  {f}");
    }
    for a in &absent {
        let _ = writeln!(msg, "  expected a line \"ok {a}...\"");
    }
    panic!("{msg}\n{}", r.dump());
}

/// The library a program loads, from `ldd` (None when ldd is missing).
fn loaded_usrsctp(exe: &Path, dir: &Path) -> Option<String> {
    missing(&["ldd"]).is_none().then_some(())?;
    let mut c = Command::new("ldd");
    c.arg(exe).env_remove("LD_LIBRARY_PATH");
    let r = run(&mut c, dir, "ldd", Duration::from_secs(60));
    r.stdout
        .lines()
        .find(|l| l.contains("libusrsctp"))
        .map(|l| l.trim().to_owned())
}

/// Builds `tests/c/<name>.c` against our header and library, runs it and
/// checks its output.
fn our_program(name: &str, expect: &[&str]) {
    need!(name, "gcc", "cbindgen");
    let dir = scratch(&format!("ours-{name}"));
    let (inc, lib) = (header_dir(), lib_dir());
    let exe = dir.join(name);
    let mut args: Vec<String> = CFLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.extend([
        format!("-I{}", inc.display()),
        format!("-I{}", c_dir().display()),
        "-o".into(),
        exe.display().to_string(),
        c_dir().join(format!("{name}.c")).display().to_string(),
        format!("-L{}", lib.display()),
        "-lusrsctp".into(),
        format!("-Wl,-rpath,{}", lib.display()),
    ]);
    tool_ok("gcc", &args, &dir, "gcc");
    if let Some(l) = loaded_usrsctp(&exe, &dir) {
        assert!(
            l.contains(&lib.join("libusrsctp.so.2").display().to_string()),
            "{name} does not load our library: {l}"
        );
    }
    let r = run(
        Command::new(&exe)
            .env_remove("LD_LIBRARY_PATH")
            .current_dir(&dir),
        &dir,
        "run",
        RUN_TIMEOUT,
    );
    check_run(&format!("{name} on our library"), &r, expect);
}

/// Builds `tests/c/<name>.c` against Debian's header and library and checks
/// the same output: the program's expectations are usrsctp's behaviour.
fn reference_program(name: &str, expect: &[&str]) {
    need!(name, "gcc");
    if !Path::new(REAL_HEADER).is_file() {
        eprintln!(
            "SKIP: {name} on Debian's usrsctp: {REAL_HEADER} missing (apt-get install libusrsctp-dev)"
        );
        return;
    }
    let dir = scratch(&format!("reference-{name}"));
    let exe = dir.join(name);
    let mut args: Vec<String> = CFLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.extend([
        format!("-I{}", c_dir().display()),
        "-o".into(),
        exe.display().to_string(),
        c_dir().join(format!("{name}.c")).display().to_string(),
        "-lusrsctp".into(),
        "-lpthread".into(),
    ]);
    let r = tool("gcc", &args, &dir, "gcc");
    if !r.status.success() && r.stderr.contains("-lusrsctp") {
        eprintln!(
            "SKIP: {name} on Debian's usrsctp: no libusrsctp to link with:\n{}",
            r.stderr
        );
        return;
    }
    assert!(r.status.success(), "gcc failed:\n{}", r.dump());
    if let Some(l) = loaded_usrsctp(&exe, &dir) {
        assert!(
            !l.contains("c_api/lib/") && !l.contains("not found"),
            "{name} should load Debian's library: {l}"
        );
    }
    let r = run(
        Command::new(&exe)
            .arg("--reference")
            .env_remove("LD_LIBRARY_PATH")
            .current_dir(&dir),
        &dir,
        "run",
        RUN_TIMEOUT,
    );
    check_run(&format!("{name} on Debian's usrsctp"), &r, expect);
}

/// Lines `one_to_many` must print.
const ONE_TO_MANY: &[&str] = &[
    "usrsctp_listen on the SOCK_SEQPACKET server",
    "client 0: association established",
    "client 2: association established",
    "server: usrsctp_recvv gives an sctp_rcvinfo",
    "server: 3 messages received",
    "server: 3 messages from 3 distinct associations",
    "server: SCTP_GET_ASSOC_NUMBER is 3",
    "server: SCTP_GET_ASSOC_ID_LIST lists the 3 associations",
    "server: usrsctp_getpaddrs of client 1's association is AF_CONN port 5002",
    "client 0: got its reply",
    "client 1: got its reply",
    "client 2: got its reply",
    "clients: 3 replies received",
    "usrsctp_finish returns 0",
];

/// Lines `notifications` must print.
const NOTIFICATIONS: &[&str] = &[
    "client: notification SCTP_ASSOC_CHANGE is complete (MSG_EOR)",
    "client: one COMM_UP",
    "server: one COMM_UP",
    "client: the first notification is COMM_UP",
    "server: the first notification is COMM_UP",
    "server: \"ping\" received; client: SCTP_SENDER_DRY_EVENT after it",
    "client: SCTP_SENDER_DRY_EVENT: sender_dry_length is sizeof(struct sctp_sender_dry_event)",
    "server: SCTP_SHUTDOWN_EVENT: sse_length is sizeof(struct sctp_shutdown_event)",
    "server: SCTP_SHUTDOWN_EVENT after COMM_UP",
    "server: SHUTDOWN_COMP after SCTP_SHUTDOWN_EVENT",
    "client: SHUTDOWN_COMP",
    "end of file on both sides",
    "usrsctp_finish returns 0",
];

/// Lines `sockopts` must print (with `closed` on our library only).
fn sockopts_lines(closed: bool) -> Vec<&'static str> {
    let mut v = vec![
        "SO_SNDBUF reads back 1048576",
        "SO_RCVBUF reads back 131072",
        "SO_LINGER reads back on, 10 s",
        "SO_LINGER reads back off",
        "SCTP_NODELAY reads back 1",
        "SCTP_NODELAY reads back 0",
        "SCTP_INITMSG reads back {17, 19, 3, 1000}",
        "SCTP_RTOINFO reads back {500, 4000, 200}",
        "SCTP_RTOINFO with min > max fails with EINVAL",
        "SCTP_PEER_ADDR_PARAMS reads back heartbeat on, 12345 ms, pathmaxrxt 7",
        "SCTP_EVENT SCTP_ASSOC_CHANGE reads back se_on 1",
        "SCTP_EVENT SCTP_SHUTDOWN_EVENT (never set) reads back se_on 0",
        "SCTP_EVENT SCTP_ASSOC_CHANGE reads back se_on 0",
        "SCTP_CONTEXT reads back 42",
        "SCTP_DEFAULT_SNDINFO reads back {3, SCTP_UNORDERED, 99, 7}",
        "SCTP_CONTEXT still reads 42 after SCTP_DEFAULT_SNDINFO's snd_context 7",
        "SCTP_REMOTE_UDP_ENCAPS_PORT reads back 9899",
        "SCTP_ENABLE_STREAM_RESET reads back RESET_STREAM_REQ|CHANGE_ASSOC_REQ",
        "getsockopt of an unknown option fails with ENOPROTOOPT",
        "setsockopt of an unknown option fails with ENOPROTOOPT",
        "client: SCTP_STATUS sstat_state is SCTP_ESTABLISHED",
        "client: SCTP_STATUS streams out 17",
        "server: SCTP_STATUS established, streams out 5, in 17",
        "client: the path's SCTP_PEER_ADDR_PARAMS are the socket's",
        "server: sent with the client's SCTP_DEFAULT_SNDINFO",
        "server: rcv_context is the server's SCTP_CONTEXT 1234",
        "usrsctp_finish returns 0",
    ];
    if closed {
        v.extend([
            "usrsctp_getsockopt on a closed socket fails with EBADF",
            "usrsctp_setsockopt on a closed socket fails with EBADF",
        ]);
    }
    v
}

/// Lines `stream_reset` must print.
const STREAM_RESET: &[&str] = &[
    "server: \"a2\" arrives on stream 1 with SSN 2",
    "server: \"b0\" arrives on stream 2 with SSN 0",
    "client: SCTP_RESET_STREAMS outgoing {1}",
    "SCTP_STREAM_RESET_EVENT on both sides",
    "server: strreset_flags has SCTP_STREAM_RESET_INCOMING_SSN",
    "server: strreset_length is the header and one stream",
    "server: strreset_stream_list is {1}",
    "client: strreset_flags has SCTP_STREAM_RESET_OUTGOING_SSN",
    "server: \"a3\" arrives on stream 1 with SSN 0",
    "server: \"b1\" arrives on stream 2 with SSN 1",
    "client: the second reset is denied",
    "server: no SCTP_STREAM_RESET_EVENT for a denied request",
    "server: \"a4\" arrives on stream 1 with SSN 1",
    "usrsctp_finish returns 0",
];

#[test]
fn c_one_to_many() {
    our_program("one_to_many", ONE_TO_MANY);
}

#[test]
fn c_notifications() {
    our_program("notifications", NOTIFICATIONS);
}

#[test]
fn c_sockopts() {
    our_program("sockopts", &sockopts_lines(true));
}

#[test]
fn c_stream_reset() {
    our_program("stream_reset", STREAM_RESET);
}

#[test]
fn reference_one_to_many() {
    reference_program("one_to_many", ONE_TO_MANY);
}

#[test]
fn reference_notifications() {
    reference_program("notifications", NOTIFICATIONS);
}

#[test]
fn reference_sockopts() {
    reference_program("sockopts", &sockopts_lines(false));
}

#[test]
fn reference_stream_reset() {
    reference_program("stream_reset", STREAM_RESET);
}

// ---------------------------------------------------------------------------
// The header
// ---------------------------------------------------------------------------

/// What a preprocessed `usrsctp.h` declares.
#[derive(Default, Debug)]
struct Decls {
    /// Object-like macros with a value (`#undef` ones removed).
    macros: BTreeMap<String, String>,
    /// `struct X` / `union X` with their fields (name, is a flexible array).
    aggregates: BTreeMap<String, Vec<(String, bool)>>,
    /// Typedef names.
    typedefs: BTreeSet<String>,
    /// Function declarations (one line each), by function name.
    functions: BTreeMap<String, String>,
}

/// Preprocesses `#include <usrsctp.h>` (ours when `inc` is given, else the
/// system's) with `-DSCTP_DEBUG` and returns the lines of usrsctp.h itself,
/// macro definitions kept (`-dD`).
fn preprocess(inc: Option<&Path>, dir: &Path, tag: &str) -> String {
    let src = dir.join(format!("{tag}.c"));
    fs::write(&src, "#include <usrsctp.h>\n").expect("write");
    let mut args = vec!["-E".to_owned(), "-dD".into(), "-DSCTP_DEBUG".into()];
    if let Some(i) = inc {
        args.push(format!("-I{}", i.display()));
    }
    args.push(src.display().to_string());
    let r = tool_ok("gcc", &args, dir, tag);
    let mut keep = false;
    let mut text = String::new();
    for line in r.stdout.lines() {
        // Line markers: # 12 "/usr/include/usrsctp.h" 1
        if let Some(rest) = line.strip_prefix("# ")
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            keep = rest
                .split('"')
                .nth(1)
                .is_some_and(|f| f.ends_with("/usrsctp.h") || f == "usrsctp.h");
            continue;
        }
        if keep {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

/// The last identifier of a C declarator text (`uint8_t x[]` is `x`).
fn declared_name(decl: &str) -> Option<(String, bool)> {
    let decl = decl.trim();
    let (base, fam) = match decl.find('[') {
        Some(i) => (&decl[..i], decl[i..].replace(' ', "") == "[]"),
        None => (decl, false),
    };
    let name: String = base
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some((name, fam))
}

/// Reads the declarations of a preprocessed header (see [`preprocess`]).
fn parse(text: &str) -> Decls {
    let mut d = Decls::default();
    let mut code = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("#define ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let after = &rest[name.len()..];
            if !after.starts_with('(') && !after.trim().is_empty() {
                d.macros.insert(name, after.trim().to_owned());
            }
        } else if let Some(rest) = t.strip_prefix("#undef ") {
            d.macros.remove(rest.trim());
        } else if !t.starts_with('#') {
            code.push_str(t);
            code.push(' ');
        }
    }
    // Statements split at `;`, `{` and `}`; a stack of open aggregates.
    let mut stack: Vec<(String, Vec<(String, bool)>)> = Vec::new();
    let mut stmt = String::new();
    let mut parens = 0usize;
    let mut closed: Option<(String, Vec<(String, bool)>)> = None;
    for c in code.chars() {
        match c {
            '(' => {
                parens += 1;
                stmt.push(c);
            }
            ')' => {
                parens = parens.saturating_sub(1);
                stmt.push(c);
            }
            '{' if parens == 0 => {
                // `struct NAME {` or `union NAME {`.
                // (`struct __attribute__((packed)) NAME {` too.)
                let words: Vec<&str> = stmt.split_whitespace().collect();
                let kind = words.iter().find(|w| matches!(**w, "struct" | "union"));
                let tag = match (kind, words.last()) {
                    (Some(k), Some(name)) if name != k => format!("{k} {name}"),
                    _ => format!("anonymous {}", stmt.trim()),
                };
                stack.push((tag, Vec::new()));
                stmt.clear();
            }
            '}' if parens == 0 => {
                if let Some(done) = stack.pop() {
                    d.aggregates.insert(done.0.clone(), done.1.clone());
                    closed = Some(done);
                }
                stmt.clear();
            }
            ';' if parens == 0 => {
                let s = stmt.trim().to_owned();
                stmt.clear();
                if closed.take().is_some() {
                    // `} name;` inside an aggregate: a member of the parent.
                    if let (Some(parent), Some(n)) = (stack.last_mut(), declared_name(&s)) {
                        parent.1.push(n);
                    }
                    continue;
                }
                if let Some(top) = stack.last_mut() {
                    for part in s.split(',') {
                        if let Some(n) = declared_name(part) {
                            top.1.push(n);
                        }
                    }
                } else if let Some(rest) = s.strip_prefix("typedef ") {
                    if let Some((n, _)) = declared_name(rest) {
                        d.typedefs.insert(n);
                    }
                } else if let Some(i) = s.find("usrsctp_")
                    && !s.starts_with("typedef")
                {
                    let name: String = s[i..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if s[i + name.len()..].trim_start().starts_with('(') {
                        d.functions.insert(name, format!("{s};"));
                    }
                }
            }
            _ => stmt.push(c),
        }
    }
    d
}

/// The `usrsctp_*` functions the library exports (`nm -D`).
fn exported(dir: &Path) -> BTreeSet<String> {
    let r = tool_ok(
        "nm",
        [
            OsStr::new("-D"),
            OsStr::new("--defined-only"),
            our_library().as_os_str(),
        ],
        dir,
        "nm",
    );
    r.stdout
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("usrsctp_"))
        .map(str::to_owned)
        .collect()
}

/// Names declared by `src/abi.rs`: `pub const|struct|union|type NAME`.
fn abi_items() -> Vec<(String, String)> {
    let src = fs::read_to_string(Path::new(CRATE_DIR).join("src/abi.rs")).expect("src/abi.rs");
    src.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("pub ")?;
            let (kind, rest) = rest.split_once(' ')?;
            matches!(kind, "const" | "struct" | "union" | "type").then_some(())?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            Some((kind.to_owned(), name))
        })
        .collect()
}

/// Our header declares every function the library exports and nothing
/// else, every item of `src/abi.rs`, and `struct socket` opaque.
#[test]
fn header_declares_the_library() {
    need!("header_declares_the_library", "gcc", "cbindgen", "nm");
    let dir = scratch("header-declares");
    let ours = parse(&preprocess(Some(header_dir()), &dir, "ours"));
    let exported = exported(&dir);
    let declared: BTreeSet<String> = ours.functions.keys().cloned().collect();
    let undeclared: Vec<&String> = exported.difference(&declared).collect();
    let unexported: Vec<&String> = declared.difference(&exported).collect();
    assert!(
        undeclared.is_empty() && unexported.is_empty(),
        "exported without a prototype in usrsctp.h: {undeclared:?}\n\
         declared in usrsctp.h but not exported (a C program would not link): {unexported:?}"
    );
    let mut absent = Vec::new();
    for (kind, name) in abi_items() {
        let found = match kind.as_str() {
            "const" => {
                ours.macros.contains_key(&name)
                    // Only where the system headers have none (<netinet/in.h>).
                    || name == "IPPROTO_SCTP"
            }
            "struct" => ours.aggregates.contains_key(&format!("struct {name}")),
            "union" => ours.aggregates.contains_key(&format!("union {name}")),
            _ => ours.typedefs.contains(&name),
        };
        if !found {
            absent.push(format!("{kind} {name}"));
        }
    }
    assert!(
        absent.is_empty(),
        "items of src/abi.rs missing from usrsctp.h: {absent:?}"
    );
    let header = fs::read_to_string(header_dir().join("usrsctp.h")).expect("usrsctp.h");
    assert!(
        header.contains("\nstruct socket;\n") && !ours.aggregates.contains_key("struct socket"),
        "struct socket must be declared, opaque"
    );
}

/// A C program that prints every macro value and type, and the layout of
/// every struct, union and typedef `d` declares.
fn layout_program(d: &Decls) -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <usrsctp.h>\nint main(void)\n{\n",
    );
    for name in d.macros.keys() {
        let _ = writeln!(
            c,
            "\tprintf(\"macro {name} = %lld, size %zu, %s\\n\", (long long)({name}), sizeof({name}), ({name}) * 0 - 1 < 0 ? \"signed\" : \"unsigned\");"
        );
    }
    for (tag, fields) in &d.aggregates {
        if tag.starts_with("anonymous") {
            continue;
        }
        let _ = writeln!(
            c,
            "\tprintf(\"{tag}: size %zu, align %zu\\n\", sizeof({tag}), _Alignof({tag}));"
        );
        for (f, fam) in fields {
            if *fam {
                let _ = writeln!(
                    c,
                    "\tprintf(\"{tag}.{f}: offset %zu, flexible\\n\", offsetof({tag}, {f}));"
                );
            } else {
                let _ = writeln!(
                    c,
                    "\tprintf(\"{tag}.{f}: offset %zu, size %zu\\n\", offsetof({tag}, {f}), sizeof((({tag} *)0)->{f}));"
                );
            }
        }
    }
    for t in &d.typedefs {
        let _ = writeln!(
            c,
            "\tprintf(\"typedef {t}: size %zu, %s\\n\", sizeof({t}), ({t})0 - 1 < ({t})0 ? \"signed\" : \"unsigned\");"
        );
    }
    c.push_str("\treturn 0;\n}\n");
    c
}

/// Against Debian's usrsctp.h: same macros (value and type), same layouts,
/// compatible prototypes for every function, all exported; C++ works.
#[test]
fn header_is_compatible_with_debians() {
    need!("header_is_compatible_with_debians", "gcc", "cbindgen", "nm");
    if !Path::new(REAL_HEADER).is_file() {
        eprintln!(
            "SKIP: header_is_compatible_with_debians: {REAL_HEADER} missing (apt-get install libusrsctp-dev)"
        );
        return;
    }
    let dir = scratch("header-debian");
    let inc = header_dir();
    let real = parse(&preprocess(None, &dir, "real"));
    let ours = parse(&preprocess(Some(inc), &dir, "ours"));
    assert!(
        real.functions.contains_key("usrsctp_socket")
            && real.aggregates.contains_key("struct sctp_rcvinfo"),
        "could not read {REAL_HEADER}: {real:?}"
    );

    // Macros and layouts: one program, compiled against each header.
    fs::write(dir.join("layout.c"), layout_program(&real)).expect("write");
    let build = |tag: &str, inc: Option<&Path>| {
        let exe = dir.join(tag);
        let mut args = vec!["-std=gnu11".to_owned(), "-DSCTP_DEBUG".into()];
        if let Some(i) = inc {
            args.push(format!("-I{}", i.display()));
        }
        args.extend(["-o".into(), exe.display().to_string(), "layout.c".into()]);
        let r = tool("gcc", &args, &dir, &format!("gcc-{tag}"));
        assert!(
            r.status.success(),
            "a program using what {REAL_HEADER} declares does not compile against {} header:\n{}",
            if inc.is_some() { "our" } else { "Debian's" },
            r.stderr
        );
        run(&mut Command::new(&exe), &dir, tag, RUN_TIMEOUT).stdout
    };
    let want = build("layout-real", None);
    let got = build("layout-ours", Some(inc));
    let want_lines: BTreeSet<&str> = want.lines().collect();
    let got_lines: BTreeSet<&str> = got.lines().collect();
    let differ: Vec<String> = want_lines
        .difference(&got_lines)
        .map(|w| {
            let key = w.split([':', '=']).next().unwrap_or(w);
            let ours = got
                .lines()
                .find(|g| g.split([':', '=']).next() == Some(key))
                .unwrap_or("-");
            format!("Debian: {w}\n  ours: {ours}")
        })
        .collect();
    assert!(
        differ.is_empty(),
        "usrsctp.h differs from Debian's:\n{}",
        differ.join("\n")
    );

    // Every function of Debian's header: declared and exported by us, and
    // Debian's prototype may be redeclared after ours (compatible types).
    let exported = exported(&dir);
    let undeclared: Vec<&String> = real
        .functions
        .keys()
        .filter(|f| !ours.functions.contains_key(*f))
        .collect();
    let unexported: Vec<&String> = real
        .functions
        .keys()
        .filter(|f| !exported.contains(*f))
        .collect();
    assert!(
        undeclared.is_empty() && unexported.is_empty(),
        "functions of {REAL_HEADER} not declared by our usrsctp.h: {undeclared:?}\n\
         functions of {REAL_HEADER} our library does not export (link errors): {unexported:?}"
    );
    let mut redecl = String::from("#include <usrsctp.h>\n/* Debian's prototypes: */\n");
    for p in real.functions.values() {
        redecl.push_str(p);
        redecl.push('\n');
    }
    fs::write(dir.join("prototypes.c"), redecl).expect("write");
    let r = tool(
        "gcc",
        [
            "-std=gnu11".to_owned(),
            "-Wall".into(),
            "-Werror".into(),
            "-DSCTP_DEBUG".into(),
            format!("-I{}", inc.display()),
            "-c".into(),
            "-o".into(),
            "/dev/null".into(),
            "prototypes.c".into(),
        ],
        &dir,
        "gcc-prototypes",
    );
    assert!(
        r.status.success(),
        "Debian's prototypes conflict with ours:\n{}",
        r.stderr
    );

    // C++: compiles, and the functions have C linkage (it links).
    if missing(&["g++"]).is_some() {
        eprintln!("SKIP (part): C++ check: g++ not found");
        return;
    }
    fs::write(
        dir.join("cxx.cc"),
        "#include <usrsctp.h>\nint main() {\n\tstruct sctp_rcvinfo rcv = {};\n\t(void)rcv;\n\
         \tusrsctp_sysctl_set_sctp_ecn_enable(0);\n\treturn usrsctp_get_non_blocking(nullptr) == -1 ? 0 : 1;\n}\n",
    )
    .expect("write");
    let lib = lib_dir();
    tool_ok(
        "g++",
        [
            "-Wall".to_owned(),
            "-Werror".into(),
            format!("-I{}", inc.display()),
            "-o".into(),
            "cxx".into(),
            "cxx.cc".into(),
            format!("-L{}", lib.display()),
            "-lusrsctp".into(),
            format!("-Wl,-rpath,{}", lib.display()),
        ],
        &dir,
        "g++",
    );
    let r = run(
        Command::new(dir.join("cxx")).env_remove("LD_LIBRARY_PATH"),
        &dir,
        "cxx",
        RUN_TIMEOUT,
    );
    assert!(r.status.success(), "C++ program:\n{}", r.dump());
}

// ---------------------------------------------------------------------------
// install.sh
// ---------------------------------------------------------------------------

/// `install.sh --no-build` for this test binary's profile, into `prefix`
/// (under `destdir` if given).
fn install(prefix: &Path, destdir: Option<&Path>, dir: &Path, tag: &str) -> Ran {
    let profile = profile_dir();
    let name = profile
        .file_name()
        .and_then(OsStr::to_str)
        .expect("profile directory name")
        .to_owned();
    let target = profile.parent().expect("target directory");
    let mut c = Command::new("bash");
    c.arg(install_sh())
        .args(["--no-build", "--profile", &name])
        .arg(prefix)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("DESTDIR");
    if let Some(d) = destdir {
        c.env("DESTDIR", d);
    }
    run(&mut c, dir, tag, Duration::from_secs(600))
}

/// install.sh into a temporary prefix: the files, the soname, pkg-config,
/// a program built with pkg-config's flags, one linked statically with
/// `pkg-config --static`; and with DESTDIR.
#[test]
fn install_sh_installs_a_usable_library() {
    need!(
        "install_sh_installs_a_usable_library",
        "gcc",
        "cbindgen",
        "pkg-config"
    );
    let dir = scratch("install");
    let prefix = dir.join("prefix");
    let r = install(&prefix, None, &dir, "install");
    assert!(r.status.success(), "install.sh failed:\n{}", r.dump());
    for f in [
        "lib/libusrsctp.so.2",
        "lib/libusrsctp.so",
        "lib/libusrsctp.a",
        "include/usrsctp.h",
        "lib/pkgconfig/usrsctp.pc",
    ] {
        assert!(prefix.join(f).is_file(), "{f} not installed:\n{}", r.dump());
    }
    assert_eq!(
        fs::read_link(prefix.join("lib/libusrsctp.so")).expect("libusrsctp.so is a symlink"),
        Path::new("libusrsctp.so.2")
    );
    if missing(&["readelf"]).is_none() {
        let e = tool_ok(
            "readelf",
            [
                OsStr::new("-d"),
                prefix.join("lib/libusrsctp.so.2").as_os_str(),
            ],
            &dir,
            "readelf",
        );
        assert!(
            e.stdout.contains("[libusrsctp.so.2]"),
            "soname is not libusrsctp.so.2:\n{}",
            e.stdout
        );
    }
    let pc = fs::read_to_string(prefix.join("lib/pkgconfig/usrsctp.pc")).expect("usrsctp.pc");
    assert!(
        pc.contains(&format!("prefix={}\n", prefix.display())) && pc.contains("Version: 0.9.5.0"),
        "usrsctp.pc:\n{pc}"
    );

    let pkg = |args: &[&str], tag: &str| {
        let mut c = Command::new("pkg-config");
        c.args(args)
            .arg("usrsctp")
            .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
            .env_remove("PKG_CONFIG_SYSROOT_DIR")
            .env_remove("PKG_CONFIG_LIBDIR");
        let r = run(&mut c, &dir, tag, Duration::from_secs(60));
        assert!(
            r.status.success(),
            "pkg-config {args:?} usrsctp:\n{}",
            r.dump()
        );
        r.stdout
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let flags = pkg(&["--cflags", "--libs"], "pkg-config");
    for want in [
        format!("-I{}/include", prefix.display()),
        format!("-L{}/lib", prefix.display()),
        "-lusrsctp".into(),
    ] {
        assert!(
            flags.contains(&want),
            "pkg-config --cflags --libs usrsctp lacks {want}: {flags:?}"
        );
    }
    assert_eq!(pkg(&["--modversion"], "pkg-config-version"), ["0.9.5.0"]);

    // A program built with exactly pkg-config's flags, run on the installed library.
    let src = c_dir().join("notifications.c");
    let mut args: Vec<String> = CFLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.extend([
        format!("-I{}", c_dir().display()),
        "-o".into(),
        "dynamic".into(),
        src.display().to_string(),
    ]);
    args.extend(flags.iter().cloned());
    tool_ok("gcc", &args, &dir, "gcc-dynamic");
    let r = run(
        Command::new(dir.join("dynamic")).env("LD_LIBRARY_PATH", prefix.join("lib")),
        &dir,
        "dynamic",
        RUN_TIMEOUT,
    );
    check_run(
        "notifications built with pkg-config's flags",
        &r,
        &["usrsctp_finish returns 0"],
    );

    // Statically linked: libusrsctp.a and Libs.private (pkg-config --static).
    let statics = pkg(&["--static", "--cflags", "--libs"], "pkg-config-static");
    let mut args: Vec<String> = CFLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.extend([
        format!("-I{}", c_dir().display()),
        "-o".into(),
        "static".into(),
        src.display().to_string(),
    ]);
    args.extend(statics.iter().map(|f| {
        if f == "-lusrsctp" {
            "-l:libusrsctp.a".to_owned()
        } else {
            f.clone()
        }
    }));
    tool_ok("gcc", &args, &dir, "gcc-static");
    if let Some(l) = loaded_usrsctp(&dir.join("static"), &dir) {
        panic!("the static build still loads a libusrsctp: {l}");
    }
    let r = run(
        Command::new(dir.join("static")).env_remove("LD_LIBRARY_PATH"),
        &dir,
        "static",
        RUN_TIMEOUT,
    );
    check_run(
        "notifications linked with libusrsctp.a",
        &r,
        &["usrsctp_finish returns 0"],
    );

    // DESTDIR: the files under it, the .pc file still names PREFIX.
    let stage = dir.join("stage");
    let r = install(
        Path::new("/opt/usrsctp-test"),
        Some(&stage),
        &dir,
        "install-destdir",
    );
    assert!(
        r.status.success(),
        "install.sh with DESTDIR failed:\n{}",
        r.dump()
    );
    let staged = stage.join("opt/usrsctp-test");
    assert!(
        staged.join("lib/libusrsctp.so.2").is_file() && staged.join("include/usrsctp.h").is_file()
    );
    let pc =
        fs::read_to_string(staged.join("lib/pkgconfig/usrsctp.pc")).expect("staged usrsctp.pc");
    assert!(
        pc.contains("prefix=/opt/usrsctp-test\n"),
        "staged usrsctp.pc:\n{pc}"
    );
    assert!(
        !Path::new("/opt/usrsctp-test").exists(),
        "DESTDIR ignored: /opt/usrsctp-test was created"
    );
}

/// install.sh's errors say what is wrong.
#[test]
fn install_sh_reports_errors() {
    let dir = scratch("install-errors");
    let sh = |args: &[&str], env: &[(&str, &str)], tag: &str| {
        let mut c = Command::new("bash");
        c.arg(install_sh())
            .args(args)
            .env("CARGO_TARGET_DIR", dir.join("no-target"));
        for (k, v) in env {
            c.env(k, v);
        }
        let r = run(&mut c, &dir, tag, Duration::from_secs(60));
        assert!(
            !r.status.success(),
            "install.sh {args:?} should fail:\n{}",
            r.dump()
        );
        r.stderr
    };
    let e = sh(&["--bogus"], &[], "bogus");
    assert!(e.contains("unknown option '--bogus'"), "{e}");
    let e = sh(&["--no-build", "relative/prefix"], &[], "relative");
    assert!(e.contains("PREFIX must be an absolute path"), "{e}");
    let e = sh(
        &["--no-build", "--profile", "debug", "/a", "/b"],
        &[],
        "two-prefixes",
    );
    assert!(e.contains("more than one PREFIX"), "{e}");
    let e = sh(
        &["--header", &dir.join("h/usrsctp.h").display().to_string()],
        &[("CBINDGEN", "/nonexistent/cbindgen")],
        "no-cbindgen",
    );
    assert!(
        e.contains("'/nonexistent/cbindgen' not found") && e.contains("apt-get install cbindgen"),
        "{e}"
    );
    let prefix = dir.join("prefix").display().to_string();
    let e = sh(
        &["--no-build", "--profile", "no-such-profile", &prefix],
        &[],
        "no-library",
    );
    assert!(
        e.contains("libusrsctp.so not found") && e.contains("no-such-profile"),
        "{e}"
    );
    assert!(
        !dir.join("prefix").exists(),
        "nothing may be installed after an error"
    );
}
