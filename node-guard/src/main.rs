//! The node-guard command line.

use std::ops::ControlFlow;
use std::process::ExitCode;

use clap::Parser as _;
use node_guard::block::{self, FileAction, KernelUnloader, UnloadPlan};
use node_guard::cli::{Cli, Command, Format, KubeArgs};
use node_guard::hostroot::HostRoot;
use node_guard::k8s::{Keys, KubeError, NodeClient, api};
use node_guard::metrics::Metrics;
use node_guard::report::CheckReport;
use node_guard::run::{self, RunOptions};
use node_guard::state::SctpState;
use node_guard::watch::{self, WatchOptions};

/// Exit code when the kernel SCTP state cannot be told (node-problem-detector's "unknown").
const EXIT_UNKNOWN: u8 = 2;
/// Exit code when node-guard could not do its job: bad usage, permissions, I/O, the API.
const EXIT_ERROR: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; real usage errors are
            // "could not run", distinct from an unknown kernel state.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("node-guard: error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

type Error = Box<dyn std::error::Error>;

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn node_client(args: &KubeArgs) -> impl Future<Output = Result<NodeClient, Error>> {
    let args = args.clone();
    async move {
        let keys = Keys::new(&args.prefix)?;
        let name = args.node.ok_or(KubeError::NoNodeName)?;
        let (client, server) = api::client(&api::ClientOptions {
            kubeconfig: args.kubeconfig,
            context: args.context,
        })
        .await?;
        Ok(NodeClient::new(client, &name, keys).with_server(&server))
    }
}

fn dispatch(command: Command) -> Result<u8, Error> {
    match command {
        Command::Check(a) => {
            let host = HostRoot::new(&a.host.host_root);
            let report = CheckReport::collect(&host);
            match a.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                Format::Text => print!("{}", report.to_text()),
            }
            Ok(report.verdict.exit_code() as u8)
        }
        Command::Block(a) => {
            let host = HostRoot::new(&a.host.host_root);
            let r = block::block(&host, a.dry_run, a.unload, &mut KernelUnloader)?;
            let verb = match r.file {
                FileAction::Written => "wrote",
                FileAction::Unchanged => "already in place:",
                _ => "would write",
            };
            println!("{verb} {}", r.path);
            if a.dry_run && r.file == FileAction::WouldWrite {
                print!("{}", block::drop_in_content());
            }
            match &r.unload {
                UnloadPlan::NotLoaded => println!("sctp is not loaded"),
                UnloadPlan::Unload { modules } if !r.unloaded.is_empty() => {
                    println!("unloaded {}", modules.join(", "));
                }
                UnloadPlan::Unload { modules } => println!(
                    "sctp is loaded but unused: run with --unload to remove {} now, or reboot",
                    modules.join(", ")
                ),
                UnloadPlan::RebootRequired { reason } => {
                    println!("sctp is loaded and held ({reason}): the node needs a reboot");
                }
            }
            if !r.migrated.is_empty() {
                let verb = if a.dry_run { "would remove" } else { "removed" };
                println!("{verb} the earlier drop-in {}", r.migrated.join(", "));
            }
            if a.dry_run {
                return Ok(u8::from(r.reboot_required));
            }
            if r.after.holds_after_reboot {
                if r.after.state == SctpState::Absent {
                    println!(
                        "verified: this kernel has no sctp module; the drop-in stops one installed later"
                    );
                } else {
                    println!(
                        "verified: kmod now refuses to load sctp (state {})",
                        r.after.state
                    );
                }
                return Ok(u8::from(r.reboot_required));
            }
            println!(
                "NOT BLOCKED: after writing {} kernel SCTP is {}:",
                r.path, r.after.state
            );
            for e in &r.after.problems {
                println!("  {e}");
            }
            Ok(if r.after.state == SctpState::Unknown {
                EXIT_UNKNOWN
            } else {
                1
            })
        }
        Command::Unblock(a) => {
            let host = HostRoot::new(&a.host.host_root);
            let r = block::unblock(&host, a.dry_run)?;
            match r {
                FileAction::Removed => println!("removed {}", block::DROP_IN),
                FileAction::WouldRemove => println!("would remove {}", block::DROP_IN),
                _ => println!("nothing to remove: {} does not exist", block::DROP_IN),
            }
            Ok(0)
        }
        Command::Watch(a) => {
            let host = HostRoot::new(&a.host.host_root);
            let opts = WatchOptions {
                interval: a.interval,
                duration: a.duration,
                max_changes: a.max_changes.map(|m| m as usize),
            };
            let mut source = run::default_source();
            let metrics = Metrics::default();
            let last = watch::watch(&host, source.as_mut(), &opts, &metrics, &mut |c, _| {
                println!("{}", serde_json::to_string(c).unwrap_or_default());
                ControlFlow::Continue(())
            })?;
            Ok(last.verdict().exit_code() as u8)
        }
        Command::Dedicate(a) => runtime()?.block_on(async {
            let n = node_client(&a).await?;
            let changed = n.dedicate().await?;
            println!(
                "node {} {}",
                n.name(),
                if changed {
                    "dedicated to userspace SCTP"
                } else {
                    "was already dedicated"
                }
            );
            Ok(0)
        }),
        Command::Undedicate(a) => runtime()?.block_on(async {
            let n = node_client(&a).await?;
            let changed = n.undedicate().await?;
            println!(
                "node {} {}",
                n.name(),
                if changed {
                    "no longer dedicated"
                } else {
                    "was not dedicated"
                }
            );
            Ok(0)
        }),
        Command::Run(a) => runtime()?.block_on(async {
            let block = if a.no_block {
                run::BlockMode::Never
            } else {
                a.block
            };
            if a.no_api && block == run::BlockMode::Dedicated {
                return Err(
                    "--block=dedicated reads the node's dedication label and needs the API server: drop --no-api or use --block=always"
                        .into(),
                );
            }
            let n = if a.no_api {
                None
            } else {
                Some(node_client(&a.kube).await?)
            };
            let opts = RunOptions {
                host: HostRoot::new(&a.host.host_root),
                listen: a.listen,
                interval: a.interval,
                evict: a.evict_on_kernel_sctp,
                block,
                duration: a.duration,
                nfd_features: a.nfd_features_file,
            };
            run::run(opts, n, run::default_source(), |_| {}).await?;
            Ok(0)
        }),
    }
}
