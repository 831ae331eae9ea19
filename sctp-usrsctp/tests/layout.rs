//! Checks `src/abi.rs` against the installed usrsctp header.
//!
//! The table at the bottom ([`abi_table!`]) lists every typedef, struct and
//! union of the ABI with all its fields, and every constant. From that one
//! table the test
//!
//! * writes a C program that prints, as `usrsctp.h` defines them, the size and
//!   alignment of every type, the offset, size and integer kind of every field
//!   and the value of every constant, compiles it with gcc, runs it, and
//!   compares each line with what Rust computes for `usrsctp::abi`;
//! * checks that the table names exactly the structs, unions, fields, typedefs
//!   and numeric macros of the header (as gcc preprocesses it on this machine),
//!   and exactly the items of `src/abi.rs`: nothing can be left out on either
//!   side without the test saying so.
//!
//! The gcc part skips loudly when gcc or the header is missing.

use std::any::type_name;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::mem::{align_of, offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

use usrsctp::abi;

/// The header the layouts come from (Debian's libusrsctp-dev).
const HEADER: &str = "/usr/include/usrsctp.h";

/// The source of the module under test, for the coverage check.
const ABI_RS: &str = include_str!("../src/abi.rs");

/// Macros of the header that are not numeric constants, hence not in the table.
const NOT_CONSTANTS: &[&str] = &[
    // Include guard.
    "__USRSCTP_H__",
    // `__attribute__((packed))` helper, undefined right after use.
    "SCTP_PACKED",
    // Function-like macros over flag and policy values.
    "INVALID_SINFO_FLAG",
    "PR_SCTP_POLICY",
    "PR_SCTP_ENABLED",
    "PR_SCTP_TTL_ENABLED",
    "PR_SCTP_BUF_ENABLED",
    "PR_SCTP_RTX_ENABLED",
    "PR_SCTP_INVALID_POLICY",
    // Declare the tunable/sysctl functions.
    "USRSCTP_TUNABLE_DECL",
    "USRSCTP_SYSCTL_DECL",
];

/// Constants of the table that usrsctp.h only defines when the system headers
/// do not (on Linux `<netinet/in.h>` does).
const FROM_SYSTEM_HEADERS: &[&str] = &["IPPROTO_SCTP"];

/// Names declared by one source: the table, `src/abi.rs` or `usrsctp.h`.
#[derive(Default)]
struct Decls {
    /// Typedef names.
    typedefs: BTreeSet<String>,
    /// Struct or union name → (`"struct"` or `"union"`, fields in order;
    /// flexible array members written `name[]`).
    items: BTreeMap<String, (String, Vec<String>)>,
    /// Constant names.
    consts: BTreeSet<String>,
}

/// The table: the names it declares, plus for every fact a C statement that
/// prints `key value` and the value Rust expects for that key.
#[derive(Default)]
struct Table {
    /// What the table covers.
    decls: Decls,
    /// C statements, one printed line each.
    c: String,
    /// Key → value computed on the Rust side.
    rust: BTreeMap<String, String>,
}

impl Table {
    fn fact(&mut self, key: String, c_format: &str, c_args: &str, rust: String) {
        writeln!(self.c, "    printf(\"{key} {c_format}\\n\", {c_args});").unwrap();
        assert!(self.rust.insert(key.clone(), rust).is_none(), "{key} twice");
    }

    fn typedef(&mut self, name: &str, size: usize, align: usize, kind: &str) {
        self.decls.typedefs.insert(name.to_owned());
        self.fact(
            format!("typedef:{name}"),
            "%zu %zu %s",
            &format!("sizeof({name}), _Alignof({name}), KIND(({name})0)"),
            format!("{size} {align} {kind}"),
        );
    }

    fn item(&mut self, keyword: &str, name: &str, size: usize, align: usize) {
        self.decls
            .items
            .insert(name.to_owned(), (keyword.to_owned(), Vec::new()));
        self.fact(
            format!("{keyword}:{name}"),
            "%zu %zu",
            &format!("sizeof({keyword} {name}), _Alignof({keyword} {name})"),
            format!("{size} {align}"),
        );
    }

    /// A field; for a flexible array member, size and kind are the element's.
    fn field(
        &mut self,
        keyword: &str,
        item: &str,
        field: &str,
        flexible: bool,
        offset: usize,
        (size, kind): (usize, &str),
    ) {
        let (shown, element) = if flexible {
            (format!("{field}[]"), "[0]")
        } else {
            (field.to_owned(), "")
        };
        let member = format!("MEMBER({keyword} {item}, {field}){element}");
        self.fact(
            format!("field:{item}.{shown}"),
            "%zu %zu %s",
            &format!("offsetof({keyword} {item}, {field}), sizeof({member}), KIND({member})"),
            format!("{offset} {size} {kind}"),
        );
        self.decls.items.get_mut(item).unwrap().1.push(shown);
    }

    fn constant(&mut self, name: &str, value: i128) {
        self.decls.consts.insert(name.to_owned());
        let key = format!("const:{name}");
        writeln!(
            self.c,
            "#ifdef {name}\n    printf(\"{key} %lld\\n\", (long long)({name}));\n\
             #else\n    printf(\"{key} undefined\\n\");\n#endif"
        )
        .unwrap();
        assert!(
            self.rust.insert(key, value.to_string()).is_none(),
            "{name} twice"
        );
    }
}

/// Integer kind of a type, as the C program's `KIND` reports it: `u`nsigned,
/// `i` signed, `p`ointer, `o`ther (struct, union, array).
fn kind_of<F>() -> &'static str {
    match type_name::<F>() {
        "u8" | "u16" | "u32" | "u64" | "usize" => "u",
        "i8" | "i16" | "i32" | "i64" | "isize" => "i",
        name if name.starts_with('*') => "p",
        _ => "o",
    }
}

/// Size and kind of the type `F`.
fn type_info<F>() -> (usize, &'static str) {
    (size_of::<F>(), kind_of::<F>())
}

/// Size and kind of a struct field, named by a closure `|s| &raw const s.field`.
fn field_info<T, F>(_: fn(&T) -> *const F) -> (usize, &'static str) {
    type_info::<F>()
}

/// Size and kind of the element of a flexible array member (a `[E; 0]` field).
fn flexible_info<T, E>(_: fn(&T) -> *const [E; 0]) -> (usize, &'static str) {
    type_info::<E>()
}

/// One struct field row of the table; `name[]` marks a flexible array member.
macro_rules! field_row {
    ($t:ident, $s:ident, $f:ident) => {
        $t.field(
            "struct",
            stringify!($s),
            stringify!($f),
            false,
            offset_of!(abi::$s, $f),
            field_info(|s: &abi::$s| &raw const s.$f),
        )
    };
    ($t:ident, $s:ident, $f:ident []) => {
        $t.field(
            "struct",
            stringify!($s),
            stringify!($f),
            true,
            offset_of!(abi::$s, $f),
            flexible_info(|s: &abi::$s| &raw const s.$f),
        )
    };
}

/// Builds [`Table`] from the list of typedefs, structs with their fields,
/// unions with their fields and field types, and constants.
macro_rules! abi_table {
    (
        typedefs: [$($t:ident),* $(,)?],
        structs: { $($s:ident { $($sf:ident $([$($flex:tt)*])?),* $(,)? })* },
        unions: { $($u:ident { $($uf:ident: $ut:ty),* $(,)? })* },
        consts: [$($c:ident),* $(,)?] $(,)?
    ) => {
        fn table() -> Table {
            let mut t = Table::default();
            $(
                t.typedef(
                    stringify!($t),
                    size_of::<abi::$t>(),
                    align_of::<abi::$t>(),
                    kind_of::<abi::$t>(),
                );
            )*
            $(
                t.item("struct", stringify!($s), size_of::<abi::$s>(), align_of::<abi::$s>());
                $( field_row!(t, $s, $sf $([$($flex)*])?); )*
                // Compile-time check that the row names every field of the Rust struct.
                let _ = |s: abi::$s| {
                    let abi::$s { $($sf: _),* } = s;
                };
            )*
            $(
                t.item("union", stringify!($u), size_of::<abi::$u>(), align_of::<abi::$u>());
                $(
                    // Compile-time check that the field has the listed type.
                    let _ = |x: $ut| abi::$u { $uf: x };
                    t.field(
                        "union",
                        stringify!($u),
                        stringify!($uf),
                        false,
                        offset_of!(abi::$u, $uf),
                        type_info::<$ut>(),
                    );
                )*
            )*
            $( t.constant(stringify!($c), abi::$c as i128); )*
            t
        }
    };
}

/// Reports every difference between the declarations of two sources.
fn compare(
    a_name: &str,
    a: &Decls,
    b_name: &str,
    b: &Decls,
    consts_only_in_a: &[&str],
    errors: &mut Vec<String>,
) {
    for t in a.typedefs.symmetric_difference(&b.typedefs) {
        let (has, lacks) = if a.typedefs.contains(t) {
            (a_name, b_name)
        } else {
            (b_name, a_name)
        };
        errors.push(format!("typedef {t}: in {has}, missing in {lacks}"));
    }
    let names: BTreeSet<&String> = a.items.keys().chain(b.items.keys()).collect();
    for name in names {
        match (a.items.get(name), b.items.get(name)) {
            (Some(x), Some(y)) if x == y => {}
            (Some((ka, fa)), Some((kb, fb))) => errors.push(format!(
                "{name}: {a_name} has {ka} {{ {} }}, {b_name} has {kb} {{ {} }}",
                fa.join(", "),
                fb.join(", ")
            )),
            (Some((k, _)), None) => {
                errors.push(format!("{k} {name}: in {a_name}, missing in {b_name}"))
            }
            (None, Some((k, _))) => {
                errors.push(format!("{k} {name}: in {b_name}, missing in {a_name}"))
            }
            (None, None) => unreachable!(),
        }
    }
    for c in a.consts.difference(&b.consts) {
        if !consts_only_in_a.contains(&c.as_str()) {
            errors.push(format!("constant {c}: in {a_name}, missing in {b_name}"));
        }
    }
    for c in b.consts.difference(&a.consts) {
        errors.push(format!("constant {c}: in {b_name}, missing in {a_name}"));
    }
}

/// The declarations of `src/abi.rs`, read from its (rustfmt-formatted) text.
fn abi_rs_decls() -> Decls {
    let mut decls = Decls::default();
    let mut current: Option<(String, String, Vec<String>)> = None;
    for line in ABI_RS.lines().map(str::trim) {
        if let Some((keyword, name, fields)) = &mut current {
            if line == "}" {
                decls
                    .items
                    .insert(name.clone(), (keyword.clone(), std::mem::take(fields)));
                current = None;
            } else if let Some((field, ty)) =
                line.strip_prefix("pub ").and_then(|l| l.split_once(':'))
            {
                let ty = ty.trim();
                let flexible = ty.starts_with('[') && ty.ends_with("; 0],");
                fields.push(format!("{field}{}", if flexible { "[]" } else { "" }));
            }
            continue;
        }
        let word = |prefix: &str| {
            line.strip_prefix(prefix)
                .and_then(|rest| rest.split([' ', ':', '<']).next())
                .map(str::to_owned)
        };
        if let Some(name) = word("pub struct ") {
            current = Some(("struct".into(), name, Vec::new()));
        } else if let Some(name) = word("pub union ") {
            current = Some(("union".into(), name, Vec::new()));
        } else if let Some(name) = word("pub const ") {
            decls.consts.insert(name);
        } else if let Some(name) = word("pub type ") {
            decls.typedefs.insert(name);
        }
    }
    decls
}

/// The declarations of usrsctp.h as gcc preprocesses it here (Linux branches
/// of its `#if`s, `SCTP_DEBUG` defined): structs and unions with their
/// fields, typedefs, numeric macros; non-numeric macros go to `others`.
fn header_decls(dir: &Path, others: &mut BTreeSet<String>) -> Result<Decls, String> {
    let source = dir.join("include.c");
    std::fs::write(&source, format!("#include \"{HEADER}\"\n")).unwrap();
    let out = Command::new("gcc")
        .args(["-E", "-dD", "-DSCTP_DEBUG"])
        .arg(&source)
        .output()
        .map_err(|e| format!("gcc -E: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "gcc -E failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);

    let mut decls = Decls::default();
    let mut code = String::new();
    let mut in_header = false;
    for line in text.lines() {
        // Line markers `# 42 "/path/file.h" flags` say whose text follows.
        if let Some(rest) = line.strip_prefix("# ")
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            in_header = rest.split('"').nth(1) == Some(HEADER);
            continue;
        }
        if !in_header {
            continue;
        }
        if let Some(def) = line.strip_prefix("#define ") {
            let end = def.find([' ', '(']).unwrap_or(def.len());
            let (name, rest) = def.split_at(end);
            let value = rest.trim();
            let numeric = !rest.starts_with('(')
                && (value.starts_with(|c: char| c.is_ascii_digit())
                    || decls.consts.contains(value));
            if numeric {
                decls.consts.insert(name.to_owned());
            } else {
                others.insert(name.to_owned());
            }
        } else if !line.starts_with('#') {
            code.push_str(line);
            code.push('\n');
        }
    }

    // Split the C text into identifiers/numbers and single punctuation characters.
    let mut tokens: Vec<&str> = Vec::new();
    let mut rest = code.as_str();
    while let Some(c) = rest.chars().next() {
        let len = if c.is_ascii_alphanumeric() || c == '_' {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        if !c.is_whitespace() {
            tokens.push(&rest[..len]);
        }
        rest = &rest[len..];
    }

    // Walk the declarations: `struct|union NAME {` opens an item (possibly
    // inside another, like `struct sctp_tlv` in `union sctp_notification`),
    // `;` ends a field declaration, `}` closes the item.
    struct Open<'a> {
        keyword: &'a str,
        name: &'a str,
        fields: Vec<String>,
        declaration: Vec<&'a str>,
    }
    let mut open: Vec<Open> = Vec::new();
    let mut top_level: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if matches!(token, "struct" | "union") && tokens.get(i + 2) == Some(&"{") {
            open.push(Open {
                keyword: token,
                name: tokens[i + 1],
                fields: Vec::new(),
                declaration: Vec::new(),
            });
            i += 3;
            continue;
        }
        let declaration = match open.last_mut() {
            Some(item) => &mut item.declaration,
            None => &mut top_level,
        };
        match token {
            "}" => {
                let item = open.pop().ok_or("unbalanced } in usrsctp.h")?;
                decls
                    .items
                    .insert(item.name.to_owned(), (item.keyword.to_owned(), item.fields));
                // The enclosing declaration goes on with the declarator, if any.
                match open.last_mut() {
                    Some(outer) => outer.declaration.push(item.name),
                    None => top_level.push(item.name),
                }
                i += 1;
                // `} __attribute__((packed));`
                if tokens.get(i) == Some(&"__attribute__") {
                    i += 1;
                    let mut depth = 0;
                    while let Some(&t) = tokens.get(i) {
                        i += 1;
                        depth += match t {
                            "(" => 1,
                            ")" => -1,
                            _ => 0,
                        };
                        if depth == 0 {
                            break;
                        }
                    }
                }
                continue;
            }
            ";" => {
                if let Some(item) = open.last_mut() {
                    let d = &item.declaration;
                    let field = match d.iter().position(|&t| t == "[") {
                        Some(p) if d.get(p + 1) == Some(&"]") => format!("{}[]", d[p - 1]),
                        Some(p) => d[p - 1].to_owned(),
                        None => d.last().ok_or("empty field declaration")?.to_string(),
                    };
                    item.fields.push(field);
                    item.declaration.clear();
                } else {
                    if top_level.first() == Some(&"typedef") {
                        decls
                            .typedefs
                            .insert(top_level[top_level.len() - 1].to_owned());
                    }
                    top_level.clear();
                }
            }
            _ => declaration.push(token),
        }
        i += 1;
    }
    Ok(decls)
}

/// Whether gcc and the header are there; says SKIP loudly when not.
fn have_gcc_and_header() -> bool {
    if !Path::new(HEADER).exists() {
        eprintln!("SKIP layout check: {HEADER} is missing (install libusrsctp-dev)");
        return false;
    }
    if Command::new("gcc").arg("--version").output().is_err() {
        eprintln!("SKIP layout check: gcc is missing");
        return false;
    }
    true
}

/// A fresh directory for this test's files.
fn work_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("usrsctp-layout");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles and runs the C side of the table; returns key → value.
fn c_facts(dir: &Path, table: &Table) -> Result<BTreeMap<String, String>, String> {
    let program = format!(
        "#include <stddef.h>\n\
         #include <stdio.h>\n\
         #include \"{HEADER}\"\n\
         \n\
         #define MEMBER(type, field) (((type *)0)->field)\n\
         #define KIND(x) _Generic((x), \\\n\
         \x20   signed char: \"i\", short: \"i\", int: \"i\", long: \"i\", long long: \"i\", \\\n\
         \x20   unsigned char: \"u\", unsigned short: \"u\", unsigned int: \"u\", \\\n\
         \x20   unsigned long: \"u\", unsigned long long: \"u\", \\\n\
         \x20   char: \"c\", void *: \"p\", default: \"o\")\n\
         \n\
         int main(void) {{\n{}    return 0;\n}}\n",
        table.c
    );
    let source = dir.join("layout.c");
    let binary = dir.join("layout");
    std::fs::write(&source, program).unwrap();
    let out = Command::new("gcc")
        .args(["-std=gnu11", "-Wall", "-DSCTP_DEBUG", "-o"])
        .arg(&binary)
        .arg(&source)
        .output()
        .map_err(|e| format!("gcc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "gcc failed on {}:\n{}",
            source.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = Command::new(&binary)
        .output()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", binary.display(), out.status));
    }
    let text = String::from_utf8(out.stdout).map_err(|e| e.to_string())?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

fn fail_on(errors: &[String]) {
    assert!(
        errors.is_empty(),
        "{} mismatch(es):\n  {}",
        errors.len(),
        errors.join("\n  ")
    );
}

/// The table names exactly what `src/abi.rs` declares (no gcc needed).
#[test]
fn table_covers_abi_rs() {
    let mut errors = Vec::new();
    compare(
        "the table",
        &table().decls,
        "src/abi.rs",
        &abi_rs_decls(),
        &[],
        &mut errors,
    );
    fail_on(&errors);
}

/// Every size, alignment, field offset/size/kind and constant value of
/// `usrsctp::abi` matches usrsctp.h, and the table covers the whole header.
#[test]
fn layouts_match_usrsctp_h() {
    if !have_gcc_and_header() {
        return;
    }
    let table = table();
    let dir = work_dir();
    let mut errors = Vec::new();

    let mut others = BTreeSet::new();
    match header_decls(&dir, &mut others) {
        Ok(header) => compare(
            "the table",
            &table.decls,
            "usrsctp.h",
            &header,
            FROM_SYSTEM_HEADERS,
            &mut errors,
        ),
        Err(e) => errors.push(e),
    }
    for name in others
        .iter()
        .filter(|n| !NOT_CONSTANTS.contains(&n.as_str()))
    {
        errors.push(format!(
            "macro {name} of usrsctp.h is neither a numeric constant nor in NOT_CONSTANTS"
        ));
    }

    match c_facts(&dir, &table) {
        Ok(c) => {
            for (key, rust) in &table.rust {
                match c.get(key) {
                    Some(c) if c == rust => {}
                    Some(c) => errors.push(format!("{key}: usrsctp.h {c}, Rust {rust}")),
                    None => errors.push(format!("{key}: no output from the C program")),
                }
            }
            eprintln!("layout: compared {} facts with {HEADER}", table.rust.len());
        }
        Err(e) => errors.push(e),
    }
    fail_on(&errors);
}

// The table. Struct fields in declaration order, `name[]` for flexible array
// members; union fields with their types; constants as in abi.rs.
abi_table! {
    typedefs: [sctp_assoc_t],
    structs: {
        sctp_common_header { source_port, destination_port, verification_tag, crc32c }
        sockaddr_conn { sconn_family, sconn_port, sconn_addr }
        sctp_rcvinfo {
            rcv_sid, rcv_ssn, rcv_flags, rcv_ppid, rcv_tsn, rcv_cumtsn, rcv_context, rcv_assoc_id
        }
        sctp_nxtinfo { nxt_sid, nxt_flags, nxt_ppid, nxt_length, nxt_assoc_id }
        sctp_recvv_rn { recvv_rcvinfo, recvv_nxtinfo }
        sctp_snd_all_completes {
            sall_stream, sall_flags, sall_ppid, sall_context, sall_num_sent, sall_num_failed
        }
        sctp_sndinfo { snd_sid, snd_flags, snd_ppid, snd_context, snd_assoc_id }
        sctp_prinfo { pr_policy, pr_value }
        sctp_authinfo { auth_keynumber }
        sctp_sendv_spa { sendv_flags, sendv_sndinfo, sendv_prinfo, sendv_authinfo }
        sctp_udpencaps { sue_address, sue_assoc_id, sue_port }
        sctp_assoc_change {
            sac_type, sac_flags, sac_length, sac_state, sac_error, sac_outbound_streams,
            sac_inbound_streams, sac_assoc_id, sac_info[]
        }
        sctp_paddr_change {
            spc_type, spc_flags, spc_length, spc_aaddr, spc_state, spc_error, spc_assoc_id,
            spc_padding
        }
        sctp_remote_error { sre_type, sre_flags, sre_length, sre_error, sre_assoc_id, sre_data[] }
        sctp_shutdown_event { sse_type, sse_flags, sse_length, sse_assoc_id }
        sctp_adaptation_event { sai_type, sai_flags, sai_length, sai_adaptation_ind, sai_assoc_id }
        sctp_pdapi_event {
            pdapi_type, pdapi_flags, pdapi_length, pdapi_indication, pdapi_stream, pdapi_seq,
            pdapi_assoc_id
        }
        sctp_authkey_event {
            auth_type, auth_flags, auth_length, auth_keynumber, auth_indication, auth_assoc_id
        }
        sctp_sender_dry_event {
            sender_dry_type, sender_dry_flags, sender_dry_length, sender_dry_assoc_id
        }
        sctp_stream_reset_event {
            strreset_type, strreset_flags, strreset_length, strreset_assoc_id,
            strreset_stream_list[]
        }
        sctp_assoc_reset_event {
            assocreset_type, assocreset_flags, assocreset_length, assocreset_assoc_id,
            assocreset_local_tsn, assocreset_remote_tsn
        }
        sctp_stream_change_event {
            strchange_type, strchange_flags, strchange_length, strchange_assoc_id,
            strchange_instrms, strchange_outstrms
        }
        sctp_send_failed_event {
            ssfe_type, ssfe_flags, ssfe_length, ssfe_error, ssfe_info, ssfe_assoc_id, ssfe_data[]
        }
        sctp_event { se_assoc_id, se_type, se_on }
        sctp_tlv { sn_type, sn_flags, sn_length }
        sctp_event_subscribe {
            sctp_data_io_event, sctp_association_event, sctp_address_event,
            sctp_send_failure_event, sctp_peer_error_event, sctp_shutdown_event,
            sctp_partial_delivery_event, sctp_adaptation_layer_event, sctp_authentication_event,
            sctp_sender_dry_event, sctp_stream_reset_event
        }
        sctp_initmsg {
            sinit_num_ostreams, sinit_max_instreams, sinit_max_attempts, sinit_max_init_timeo
        }
        sctp_rtoinfo { srto_assoc_id, srto_initial, srto_max, srto_min }
        sctp_assocparams {
            sasoc_assoc_id, sasoc_peer_rwnd, sasoc_local_rwnd, sasoc_cookie_life,
            sasoc_asocmaxrxt, sasoc_number_peer_destinations
        }
        sctp_setprim { ssp_addr, ssp_assoc_id, ssp_padding }
        sctp_setadaptation { ssb_adaptation_ind }
        sctp_paddrparams {
            spp_address, spp_assoc_id, spp_hbinterval, spp_pathmtu, spp_flags,
            spp_ipv6_flowlabel, spp_pathmaxrxt, spp_dscp
        }
        sctp_assoc_value { assoc_id, assoc_value }
        sctp_reset_streams { srs_assoc_id, srs_flags, srs_number_streams, srs_stream_list[] }
        sctp_add_streams { sas_assoc_id, sas_instrms, sas_outstrms }
        sctp_hmacalgo { shmac_number_of_idents, shmac_idents[] }
        sctp_sack_info { sack_assoc_id, sack_delay, sack_freq }
        sctp_default_prinfo { pr_policy, pr_value, pr_assoc_id }
        sctp_paddrinfo {
            spinfo_address, spinfo_assoc_id, spinfo_state, spinfo_cwnd, spinfo_srtt, spinfo_rto,
            spinfo_mtu
        }
        sctp_status {
            sstat_assoc_id, sstat_state, sstat_rwnd, sstat_unackdata, sstat_penddata,
            sstat_instrms, sstat_outstrms, sstat_fragmentation_point, sstat_primary
        }
        sctp_authchunks { gauth_assoc_id, gauth_chunks[] }
        sctp_assoc_ids { gaids_number_of_ids, gaids_assoc_id[] }
        sctp_setpeerprim { sspp_addr, sspp_assoc_id, sspp_padding }
        sctp_authchunk { sauth_chunk }
        sctp_get_nonce_values { gn_assoc_id, gn_peers_tag, gn_local_tag }
        sctp_authkey { sca_assoc_id, sca_keynumber, sca_keylength, sca_key[] }
        sctp_authkeyid { scact_assoc_id, scact_keynumber }
        sctp_cc_option { option, aid_value }
        sctp_stream_value { assoc_id, stream_id, stream_value }
        sctp_timeouts {
            stimo_assoc_id, stimo_init, stimo_data, stimo_sack, stimo_shutdown, stimo_heartbeat,
            stimo_cookie, stimo_shutdownack
        }
        sctp_prstatus {
            sprstat_assoc_id, sprstat_sid, sprstat_policy, sprstat_abandoned_unsent,
            sprstat_abandoned_sent
        }
        sctp_timeval { tv_sec, tv_usec }
        sctpstat {
            sctps_discontinuitytime,
            // RFC 3873 MIB
            sctps_currestab, sctps_activeestab, sctps_restartestab, sctps_collisionestab,
            sctps_passiveestab, sctps_aborted, sctps_shutdown, sctps_outoftheblue,
            sctps_checksumerrors, sctps_outcontrolchunks, sctps_outorderchunks,
            sctps_outunorderchunks, sctps_incontrolchunks, sctps_inorderchunks,
            sctps_inunorderchunks, sctps_fragusrmsgs, sctps_reasmusrmsgs, sctps_outpackets,
            sctps_inpackets,
            // input
            sctps_recvpackets, sctps_recvdatagrams, sctps_recvpktwithdata, sctps_recvsacks,
            sctps_recvdata, sctps_recvdupdata, sctps_recvheartbeat, sctps_recvheartbeatack,
            sctps_recvecne, sctps_recvauth, sctps_recvauthmissing, sctps_recvivalhmacid,
            sctps_recvivalkeyid, sctps_recvauthfailed, sctps_recvexpress, sctps_recvexpressm,
            sctps_recv_spare, sctps_recvswcrc, sctps_recvhwcrc,
            // output
            sctps_sendpackets, sctps_sendsacks, sctps_senddata, sctps_sendretransdata,
            sctps_sendfastretrans, sctps_sendmultfastretrans, sctps_sendheartbeat,
            sctps_sendecne, sctps_sendauth, sctps_senderrors, sctps_send_spare, sctps_sendswcrc,
            sctps_sendhwcrc,
            // PKTDROP
            sctps_pdrpfmbox, sctps_pdrpfehos, sctps_pdrpmbda, sctps_pdrpmbct, sctps_pdrpbwrpt,
            sctps_pdrpcrupt, sctps_pdrpnedat, sctps_pdrppdbrk, sctps_pdrptsnnf,
            sctps_pdrpdnfnd, sctps_pdrpdiwnp, sctps_pdrpdizrw, sctps_pdrpbadd, sctps_pdrpmark,
            // timeouts
            sctps_timoiterator, sctps_timodata, sctps_timowindowprobe, sctps_timoinit,
            sctps_timosack, sctps_timoshutdown, sctps_timoheartbeat, sctps_timocookie,
            sctps_timosecret, sctps_timopathmtu, sctps_timoshutdownack,
            sctps_timoshutdownguard, sctps_timostrmrst, sctps_timoearlyfr, sctps_timoasconf,
            sctps_timodelprim, sctps_timoautoclose, sctps_timoassockill, sctps_timoinpkill,
            sctps_spare,
            // others
            sctps_hdrops, sctps_badsum, sctps_noport, sctps_badvtag, sctps_badsid, sctps_nomem,
            sctps_fastretransinrtt, sctps_markedretrans, sctps_naglesent, sctps_naglequeued,
            sctps_maxburstqueued, sctps_ifnomemqueued, sctps_windowprobed, sctps_lowlevelerr,
            sctps_lowlevelerrusr, sctps_datadropchklmt, sctps_datadroprwnd,
            sctps_ecnereducedcwnd, sctps_vtagexpress, sctps_vtagbogus, sctps_primary_randry,
            sctps_cmt_randry, sctps_slowpath_sack, sctps_wu_sacks_sent, sctps_sends_with_flags,
            sctps_sends_with_unord, sctps_sends_with_eof, sctps_sends_with_abort,
            sctps_protocol_drain_calls, sctps_protocol_drains_done, sctps_read_peeks,
            sctps_cached_chk, sctps_cached_strmoq, sctps_left_abandon, sctps_send_burst_avoid,
            sctps_send_cwnd_avoid, sctps_fwdtsn_map_over, sctps_queue_upd_ecne, sctps_reserved
        }
    },
    unions: {
        sctp_sockstore {
            sin: libc::sockaddr_in,
            sin6: libc::sockaddr_in6,
            sconn: abi::sockaddr_conn,
            sa: libc::sockaddr,
        }
        sctp_notification {
            sn_header: abi::sctp_tlv,
            sn_assoc_change: abi::sctp_assoc_change,
            sn_paddr_change: abi::sctp_paddr_change,
            sn_remote_error: abi::sctp_remote_error,
            sn_shutdown_event: abi::sctp_shutdown_event,
            sn_adaptation_event: abi::sctp_adaptation_event,
            sn_pdapi_event: abi::sctp_pdapi_event,
            sn_auth_event: abi::sctp_authkey_event,
            sn_sender_dry_event: abi::sctp_sender_dry_event,
            sn_send_failed_event: abi::sctp_send_failed_event,
            sn_strreset_event: abi::sctp_stream_reset_event,
            sn_assocreset_event: abi::sctp_assoc_reset_event,
            sn_strchange_event: abi::sctp_stream_change_event,
        }
    },
    consts: [
        // Basics
        MSG_NOTIFICATION, IPPROTO_SCTP, AF_CONN,
        SCTP_FUTURE_ASSOC, SCTP_CURRENT_ASSOC, SCTP_ALL_ASSOC,
        SCTP_EVENT_READ, SCTP_EVENT_WRITE, SCTP_EVENT_ERROR,
        SCTP_ALIGN_RESV_PAD, SCTP_ALIGN_RESV_PAD_SHORT,
        // sendv / recvv
        SCTP_NO_NEXT_MSG, SCTP_NEXT_MSG_AVAIL, SCTP_NEXT_MSG_ISCOMPLETE,
        SCTP_NEXT_MSG_IS_UNORDERED, SCTP_NEXT_MSG_IS_NOTIFICATION,
        SCTP_RECVV_NOINFO, SCTP_RECVV_RCVINFO, SCTP_RECVV_NXTINFO, SCTP_RECVV_RN,
        SCTP_SENDV_NOINFO, SCTP_SENDV_SNDINFO, SCTP_SENDV_PRINFO, SCTP_SENDV_AUTHINFO,
        SCTP_SENDV_SPA,
        SCTP_SEND_SNDINFO_VALID, SCTP_SEND_PRINFO_VALID, SCTP_SEND_AUTHINFO_VALID,
        // Notification types
        SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE, SCTP_REMOTE_ERROR, SCTP_SEND_FAILED,
        SCTP_SHUTDOWN_EVENT, SCTP_ADAPTATION_INDICATION, SCTP_PARTIAL_DELIVERY_EVENT,
        SCTP_AUTHENTICATION_EVENT, SCTP_STREAM_RESET_EVENT, SCTP_SENDER_DRY_EVENT,
        SCTP_NOTIFICATIONS_STOPPED_EVENT, SCTP_ASSOC_RESET_EVENT, SCTP_STREAM_CHANGE_EVENT,
        SCTP_SEND_FAILED_EVENT,
        // Notification values
        SCTP_COMM_UP, SCTP_COMM_LOST, SCTP_RESTART, SCTP_SHUTDOWN_COMP, SCTP_CANT_STR_ASSOC,
        SCTP_ASSOC_SUPPORTS_PR, SCTP_ASSOC_SUPPORTS_AUTH, SCTP_ASSOC_SUPPORTS_ASCONF,
        SCTP_ASSOC_SUPPORTS_MULTIBUF, SCTP_ASSOC_SUPPORTS_RE_CONFIG,
        SCTP_ASSOC_SUPPORTS_INTERLEAVING, SCTP_ASSOC_SUPPORTS_MAX,
        SCTP_ADDR_AVAILABLE, SCTP_ADDR_UNREACHABLE, SCTP_ADDR_REMOVED, SCTP_ADDR_ADDED,
        SCTP_ADDR_MADE_PRIM, SCTP_ADDR_CONFIRMED,
        SCTP_PARTIAL_DELIVERY_ABORTED,
        SCTP_AUTH_NEW_KEY, SCTP_AUTH_NO_AUTH, SCTP_AUTH_FREE_KEY,
        SCTP_STREAM_RESET_INCOMING_SSN, SCTP_STREAM_RESET_OUTGOING_SSN, SCTP_STREAM_RESET_DENIED,
        SCTP_STREAM_RESET_FAILED, SCTP_STREAM_CHANGED_DENIED,
        SCTP_STREAM_RESET_INCOMING, SCTP_STREAM_RESET_OUTGOING,
        SCTP_ASSOC_RESET_DENIED, SCTP_ASSOC_RESET_FAILED,
        SCTP_STREAM_CHANGE_DENIED, SCTP_STREAM_CHANGE_FAILED,
        SCTP_DATA_UNSENT, SCTP_DATA_SENT,
        // Message flags, PR-SCTP policies
        SCTP_DATA_LAST_FRAG, SCTP_DATA_NOT_FRAG, SCTP_NOTIFICATION, SCTP_COMPLETE, SCTP_EOF,
        SCTP_ABORT, SCTP_UNORDERED, SCTP_ADDR_OVER, SCTP_SENDALL, SCTP_EOR,
        SCTP_SACK_IMMEDIATELY,
        SCTP_PR_SCTP_NONE, SCTP_PR_SCTP_TTL, SCTP_PR_SCTP_BUF, SCTP_PR_SCTP_RTX,
        // Socket options: read-write
        SCTP_RTOINFO, SCTP_ASSOCINFO, SCTP_INITMSG, SCTP_NODELAY, SCTP_AUTOCLOSE,
        SCTP_PRIMARY_ADDR, SCTP_ADAPTATION_LAYER, SCTP_DISABLE_FRAGMENTS, SCTP_PEER_ADDR_PARAMS,
        SCTP_I_WANT_MAPPED_V4_ADDR, SCTP_MAXSEG, SCTP_DELAYED_SACK, SCTP_FRAGMENT_INTERLEAVE,
        SCTP_PARTIAL_DELIVERY_POINT, SCTP_HMAC_IDENT, SCTP_AUTH_ACTIVE_KEY, SCTP_AUTO_ASCONF,
        SCTP_MAX_BURST, SCTP_CONTEXT, SCTP_EXPLICIT_EOR, SCTP_REUSE_PORT, SCTP_EVENT,
        SCTP_RECVRCVINFO, SCTP_RECVNXTINFO, SCTP_DEFAULT_SNDINFO, SCTP_DEFAULT_PRINFO,
        SCTP_REMOTE_UDP_ENCAPS_PORT, SCTP_ECN_SUPPORTED, SCTP_PR_SUPPORTED, SCTP_AUTH_SUPPORTED,
        SCTP_ASCONF_SUPPORTED, SCTP_RECONFIG_SUPPORTED, SCTP_NRSACK_SUPPORTED,
        SCTP_PKTDROP_SUPPORTED, SCTP_MAX_CWND, SCTP_ENABLE_STREAM_RESET, SCTP_PLUGGABLE_SS,
        SCTP_SS_VALUE,
        // Socket options: read-only
        SCTP_STATUS, SCTP_GET_PEER_ADDR_INFO, SCTP_PEER_AUTH_CHUNKS, SCTP_LOCAL_AUTH_CHUNKS,
        SCTP_GET_ASSOC_NUMBER, SCTP_GET_ASSOC_ID_LIST, SCTP_TIMEOUTS, SCTP_PR_STREAM_STATUS,
        SCTP_PR_ASSOC_STATUS,
        // Socket options: write-only
        SCTP_SET_PEER_PRIMARY_ADDR, SCTP_AUTH_CHUNK, SCTP_AUTH_KEY, SCTP_AUTH_DEACTIVATE_KEY,
        SCTP_AUTH_DELETE_KEY, SCTP_RESET_STREAMS, SCTP_RESET_ASSOC, SCTP_ADD_STREAMS,
        // Option values
        SPP_HB_ENABLE, SPP_HB_DISABLE, SPP_HB_DEMAND, SPP_PMTUD_ENABLE, SPP_PMTUD_DISABLE,
        SPP_HB_TIME_IS_ZERO, SPP_IPV6_FLOWLABEL, SPP_DSCP,
        SCTP_ENABLE_RESET_STREAM_REQ, SCTP_ENABLE_RESET_ASSOC_REQ, SCTP_ENABLE_CHANGE_ASSOC_REQ,
        SCTP_ENABLE_VALUE_MASK,
        SCTP_AUTH_HMAC_ID_RSVD, SCTP_AUTH_HMAC_ID_SHA1, SCTP_AUTH_HMAC_ID_SHA256,
        SCTP_AUTH_HMAC_ID_SHA224, SCTP_AUTH_HMAC_ID_SHA384, SCTP_AUTH_HMAC_ID_SHA512,
        // Association and path states
        SCTP_CLOSED, SCTP_BOUND, SCTP_LISTEN, SCTP_COOKIE_WAIT, SCTP_COOKIE_ECHOED,
        SCTP_ESTABLISHED, SCTP_SHUTDOWN_SENT, SCTP_SHUTDOWN_RECEIVED, SCTP_SHUTDOWN_ACK_SENT,
        SCTP_SHUTDOWN_PENDING,
        SCTP_ACTIVE, SCTP_INACTIVE, SCTP_UNCONFIRMED,
        // Chunk types
        SCTP_DATA, SCTP_INITIATION, SCTP_INITIATION_ACK, SCTP_SELECTIVE_ACK,
        SCTP_HEARTBEAT_REQUEST, SCTP_HEARTBEAT_ACK, SCTP_ABORT_ASSOCIATION, SCTP_SHUTDOWN,
        SCTP_SHUTDOWN_ACK, SCTP_OPERATION_ERROR, SCTP_COOKIE_ECHO, SCTP_COOKIE_ACK,
        SCTP_ECN_ECHO, SCTP_ECN_CWR, SCTP_SHUTDOWN_COMPLETE, SCTP_AUTHENTICATION,
        SCTP_NR_SELECTIVE_ACK, SCTP_ASCONF_ACK, SCTP_PACKET_DROPPED, SCTP_STREAM_RESET,
        SCTP_PAD_CHUNK, SCTP_FORWARD_CUM_TSN, SCTP_ASCONF,
        // Congestion control, CMT, stream schedulers
        SCTP_CC_RFC2581, SCTP_CC_HSTCP, SCTP_CC_HTCP, SCTP_CC_RTCC,
        SCTP_CC_OPT_RTCC_SETMODE, SCTP_CC_OPT_USE_DCCC_EC, SCTP_CC_OPT_STEADY_STEP,
        SCTP_CMT_OFF, SCTP_CMT_BASE, SCTP_CMT_RPV1, SCTP_CMT_RPV2, SCTP_CMT_MPTCP, SCTP_CMT_MAX,
        SCTP_SS_DEFAULT, SCTP_SS_ROUND_ROBIN, SCTP_SS_ROUND_ROBIN_PACKET, SCTP_SS_PRIORITY,
        SCTP_SS_FAIR_BANDWITH, SCTP_SS_FIRST_COME,
        // Function arguments
        SCTP_BINDX_ADD_ADDR, SCTP_BINDX_REM_ADDR,
        SCTP_DUMP_OUTBOUND, SCTP_DUMP_INBOUND,
        SCTP_DEBUG_NONE, SCTP_DEBUG_ALL,
    ],
}
