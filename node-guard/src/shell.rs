//! Judging a modprobe.d `install` command as the shell command kmod runs (`system(3)`, so
//! `/bin/sh -c`): does any way through it load a given module?
//!
//! Only a small, common subset of sh is understood: simple commands joined by `;`, `&&`,
//! `||` and `|`, quoted words without expansions, redirections, and kmod's
//! `$CMDLINE_OPTS`. Anything else (substitutions, compound commands, globbing, programs
//! whose effect is unknown) is "cannot judge", never "blocks": a false "blocked" is the
//! one answer node-guard must not give.

use std::collections::BTreeSet;

use crate::kernel::module_name_from_path;
use crate::modprobe::normalize_module;

/// What running an install command does to a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Every way through the command ends without loading the module.
    Blocks,
    /// Some way through the command loads the module.
    Loads {
        /// The simple command that loads it.
        by: String,
    },
    /// The command is too complex to judge.
    Unknown {
        /// What could not be judged.
        why: String,
    },
}

/// How a simple command can end, and whether it loads the module on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Outcome {
    success: bool,
    loads: bool,
    exits: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Seq,
    And,
    Or,
    Pipe,
}

/// Judges `command`, the `install` rule kmod applies to `module`: whether any way through it
/// loads `module`. Any `modprobe` of the module counts: without `--ignore-install` kmod
/// would run the same rule again, which is not a block anyone should rely on.
pub fn judge_install(command: &str, module: &str) -> Judgement {
    judge(command, module, false)
}

/// Judges another module's `install` command: whether any way through it loads `module`
/// past `module`'s own install rule (`modprobe --ignore-install` or `insmod`).
pub fn judge_bypass(command: &str, module: &str) -> Judgement {
    judge(command, module, true)
}

fn judge(command: &str, module: &str, bypass_only: bool) -> Judgement {
    let module = normalize_module(module);
    let tokens = match tokenize(command) {
        Ok(t) => t,
        Err(why) => return Judgement::Unknown { why },
    };
    // Split into simple commands with the operator before each.
    let mut commands: Vec<(Op, Vec<String>)> = vec![(Op::Seq, Vec::new())];
    for t in tokens {
        match t {
            Token::Word(w) => {
                if let Some((_, words)) = commands.last_mut() {
                    words.push(w);
                }
            }
            Token::Op(op) => commands.push((op, Vec::new())),
        }
    }
    if commands.iter().any(|(_, w)| w.is_empty()) {
        return Judgement::Unknown {
            why: "an operator without a command on one side".into(),
        };
    }
    // Each state: status of the last pipeline, whether the module was loaded, whether the
    // shell exited. Pipelines run every member; the last one's status counts.
    let mut states: BTreeSet<Outcome> = [Outcome {
        success: true,
        loads: false,
        exits: false,
    }]
    .into();
    let mut loader: Option<String> = None;
    let mut i = 0;
    while i < commands.len() {
        let op = commands[i].0;
        let mut end = i + 1;
        while end < commands.len() && commands[end].0 == Op::Pipe {
            end += 1;
        }
        let mut pipeline_outcomes: Vec<Vec<Outcome>> = Vec::new();
        for (_, argv) in &commands[i..end] {
            match simple_command(argv, &module, bypass_only) {
                Ok(o) => {
                    if o.iter().any(|o| o.loads) && loader.is_none() {
                        loader = Some(argv.join(" "));
                    }
                    pipeline_outcomes.push(o);
                }
                Err(why) => return Judgement::Unknown { why },
            }
        }
        let in_pipeline = end - i > 1;
        let mut next = BTreeSet::new();
        for s in &states {
            let runs = !s.exits
                && match op {
                    Op::Seq | Op::Pipe => true,
                    Op::And => s.success,
                    Op::Or => !s.success,
                };
            if !runs {
                next.insert(*s);
                continue;
            }
            let members_load = s.loads
                || (in_pipeline
                    && pipeline_outcomes[..pipeline_outcomes.len() - 1]
                        .iter()
                        .flat_map(|o| o.iter())
                        .any(|o| o.loads));
            for last in pipeline_outcomes.last().into_iter().flatten() {
                next.insert(Outcome {
                    success: last.success,
                    loads: members_load || last.loads,
                    // `exit` in a pipeline runs in a subshell.
                    exits: last.exits && !in_pipeline,
                });
            }
        }
        states = next;
        i = end;
    }
    if states.iter().any(|s| s.loads) {
        Judgement::Loads {
            by: loader.unwrap_or_default(),
        }
    } else {
        Judgement::Blocks
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Op(Op),
}

fn tokenize(command: &str) -> Result<Vec<Token>, String> {
    if command.trim().is_empty() {
        return Err("empty command".into());
    }
    // Outside quotes these make the command more than a list of simple commands.
    let unsupported = |c: char| -> Option<&'static str> {
        Some(match c {
            '\\' => "escapes",
            '`' => "command substitution",
            '(' | ')' => "subshells or substitutions",
            '{' | '}' => "command groups",
            '<' => "input redirection",
            '*' | '?' | '[' => "globbing or tests",
            '\n' => "several lines",
            _ => return None,
        })
    };
    let mut out = Vec::new();
    let mut chars = command.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        if let Some(what) = unsupported(c) {
            return Err(format!("uses {what} (`{c}`)"));
        }
        match c {
            // Single quotes: everything literal up to the closing quote.
            '\'' => loop {
                match chars.next() {
                    Some('\'') => break,
                    Some(q) => word.push(q),
                    None => return Err("an unterminated quote".into()),
                }
            },
            // Double quotes: literal unless something would expand.
            '"' => loop {
                match chars.next() {
                    Some('"') => break,
                    Some(q @ ('$' | '`' | '\\')) => {
                        return Err(format!("expands something inside double quotes (`{q}`)"));
                    }
                    Some(q) => word.push(q),
                    None => return Err("an unterminated quote".into()),
                }
            },
            ' ' | '\t' => flush(&mut word, &mut out),
            ';' => {
                flush(&mut word, &mut out);
                out.push(Token::Op(Op::Seq));
            }
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                flush(&mut word, &mut out);
                out.push(Token::Op(Op::And));
            }
            '&' if word.ends_with('>') => word.push(c), // `2>&1`
            '&' => return Err("runs a command in the background (`&`)".into()),
            '|' if chars.peek() == Some(&'|') => {
                chars.next();
                flush(&mut word, &mut out);
                out.push(Token::Op(Op::Or));
            }
            '|' => {
                flush(&mut word, &mut out);
                out.push(Token::Op(Op::Pipe));
            }
            _ => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    // Drop redirections (`>/dev/null`, `2>&1`, `> file`): they do not load modules.
    let mut words = Vec::new();
    let mut skip_target = false;
    for t in out {
        match t {
            Token::Word(w) if skip_target => {
                skip_target = false;
                let _ = w;
            }
            Token::Word(w) => {
                let body = w.trim_start_matches(|c: char| c.is_ascii_digit());
                if let Some(target) = body.strip_prefix(">>").or_else(|| body.strip_prefix('>')) {
                    skip_target = target.is_empty();
                } else {
                    words.push(Token::Word(w));
                }
            }
            op => {
                if skip_target {
                    return Err("a redirection without a target".into());
                }
                words.push(op);
            }
        }
    }
    if skip_target {
        return Err("a redirection without a target".into());
    }
    Ok(words)
}

fn outcomes(list: &[(bool, bool)]) -> Vec<Outcome> {
    list.iter()
        .map(|&(success, loads)| Outcome {
            success,
            loads,
            exits: false,
        })
        .collect()
}

/// The ways a simple command can end, for `module`.
fn simple_command(
    argv: &[String],
    module: &str,
    bypass_only: bool,
) -> Result<Vec<Outcome>, String> {
    let words: Vec<&str> = argv
        .iter()
        .map(String::as_str)
        .filter(|w| *w != "$CMDLINE_OPTS" && *w != "${CMDLINE_OPTS}")
        .collect();
    let Some((&program, args)) = words.split_first() else {
        return Err("an empty command".into());
    };
    if let Some(w) = words.iter().find(|w| w.contains('$')) {
        return Err(format!("expands a variable (`{w}`)"));
    }
    if program.contains('=') {
        return Err(format!("sets a variable (`{program}`)"));
    }
    let base = program.rsplit('/').next().unwrap_or(program);
    match base {
        "true" | ":" | "echo" | "logger" => Ok(outcomes(&[(true, false)])),
        "false" => Ok(outcomes(&[(false, false)])),
        // Executing /dev/null fails: it is not a program.
        "null" if program == "/dev/null" => Ok(outcomes(&[(false, false)])),
        "exit" => {
            let success = args.first().is_none_or(|a| *a == "0");
            Ok(vec![Outcome {
                success,
                loads: false,
                exits: true,
            }])
        }
        "modprobe" => Ok(modprobe(args, module, bypass_only)),
        "insmod" => {
            let loads = args.iter().any(|a| {
                !a.starts_with('-')
                    && (module_name_from_path(a).as_deref() == Some(module)
                        || normalize_module(a) == module)
            });
            Ok(outcomes(&[(true, loads), (false, false)]))
        }
        "if" | "then" | "else" | "elif" | "fi" | "while" | "until" | "for" | "do" | "done"
        | "case" | "esac" | "!" | "function" => Err(format!("uses the shell keyword `{base}`")),
        _ => Err(format!(
            "runs `{program}`, whose effect node-guard cannot judge"
        )),
    }
}

/// `modprobe ARGS`: loads `module` when it names it; with `bypass_only`, only when it also
/// passes `--ignore-install` (otherwise kmod runs the module's own install rule).
fn modprobe(args: &[&str], module: &str, bypass_only: bool) -> Vec<Outcome> {
    let mut names = Vec::new();
    let mut all = false;
    let mut ignore_install = false;
    let mut no_load = false;
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        match *a {
            "-r" | "--remove" | "-n" | "--dry-run" | "--show" | "-D" | "--show-depends" | "-c"
            | "--showconfig" | "--show-config" | "--show-modversions" | "--dump-modversions"
            | "--show-exports" | "-R" | "--resolve-alias" => no_load = true,
            "-a" | "--all" => all = true,
            "-i" | "--ignore-install" => ignore_install = true,
            // Options that take a value in the next word.
            "-C" | "--config" | "-d" | "--dirname" | "-S" | "--set-version" => {
                iter.next();
            }
            a if a.starts_with('-') => {
                // Combined short flags such as -qa or -rq.
                if !a.starts_with("--") {
                    all |= a.contains('a');
                    ignore_install |= a.contains('i');
                    no_load |= a.contains('r') || a.contains('n') || a.contains('D');
                }
            }
            a => names.push(a),
        }
    }
    // Without -a, only the first name is a module; the rest are its parameters.
    let modules: &[&str] = if all {
        &names
    } else {
        names.get(..1).unwrap_or_default()
    };
    let loads = !no_load
        && (ignore_install || !bypass_only)
        && modules.iter().any(|m| normalize_module(m) == module);
    outcomes(&[(true, loads), (false, false)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(cmd: &str) -> Judgement {
        judge_install(cmd, "sctp")
    }

    #[test]
    fn plain_refusals_block() {
        for cmd in [
            "/bin/false",
            "/bin/true",
            "true",
            "/usr/bin/false",
            "/dev/null",
            "/bin/true >/dev/null 2>&1",
            "echo sctp is blocked; /bin/false",
            "/bin/echo 'sctp is disabled (CIS 3.4.3)' && /bin/false",
            "logger -t hardening \"sctp && dccp are off\"; /bin/false",
            "logger -t node-guard blocked sctp && /bin/false",
            "/sbin/modprobe -r sctp; false",
            "exit 1",
        ] {
            assert_eq!(j(cmd), Judgement::Blocks, "{cmd}");
        }
    }

    #[test]
    fn any_way_through_that_loads_is_a_load() {
        for cmd in [
            "/sbin/modprobe --ignore-install sctp",
            "/sbin/modprobe --ignore-install sctp $CMDLINE_OPTS",
            "/bin/true && /sbin/modprobe --ignore-install sctp",
            "/bin/false || /sbin/modprobe -i sctp",
            "/bin/false; modprobe sctp",
            "insmod /lib/modules/6.1.0/kernel/net/sctp/sctp.ko",
            "echo x | /sbin/modprobe --ignore-install sctp",
            "modprobe -qa dummy sctp",
        ] {
            assert!(matches!(j(cmd), Judgement::Loads { .. }), "{cmd}");
        }
    }

    #[test]
    fn paths_that_cannot_run_do_not_load() {
        // `false && x` never runs x; `true || x` never runs x; `exit` stops the shell.
        for cmd in [
            "/bin/false && /sbin/modprobe --ignore-install sctp",
            "/bin/true || /sbin/modprobe --ignore-install sctp",
            "exit 0; /sbin/modprobe --ignore-install sctp",
            "/sbin/modprobe --ignore-install dummy",
            "/sbin/modprobe sctp_diag_other sctp",
        ] {
            assert_eq!(j(cmd), Judgement::Blocks, "{cmd}");
        }
    }

    #[test]
    fn other_rules_bypass_only_with_ignore_install_or_insmod() {
        let b = |cmd| judge_bypass(cmd, "sctp");
        assert_eq!(b("/sbin/modprobe sctp"), Judgement::Blocks);
        assert!(matches!(
            b("/sbin/modprobe --ignore-install sctp_diag; /sbin/modprobe -i sctp"),
            Judgement::Loads { .. }
        ));
        assert!(matches!(
            b("/sbin/insmod /lib/modules/6.1.0/kernel/net/sctp/sctp.ko.xz"),
            Judgement::Loads { .. }
        ));
        assert_eq!(b("/sbin/modprobe --ignore-install dlm"), Judgement::Blocks);
    }

    #[test]
    fn too_complex_is_unknown_never_blocked() {
        for cmd in [
            "/usr/local/sbin/sctp-policy",
            "sh -c '/sbin/modprobe --ignore-install sctp'",
            "echo \"$(modprobe -i sctp)\"",
            "echo 'unterminated",
            "/bin/false; modprobe s*",
            "if [ -e /x ]; then /bin/false; fi",
            "$(which false)",
            "/bin/false &",
            "FOO=1 /bin/false",
            "/sbin/modprobe $MOD",
            "",
            "/bin/false &&",
        ] {
            assert!(matches!(j(cmd), Judgement::Unknown { .. }), "{cmd:?}");
        }
    }
}
