//! The node-guard command line.

use std::ops::ControlFlow;
use std::process::ExitCode;

use clap::Parser;
use node_guard::block::{self, FileAction, KernelUnloader, UnloadPlan};
use node_guard::cli::{Cli, Command, Format, KubeArgs};
use node_guard::hostroot::HostRoot;
use node_guard::k8s::{Keys, KubeError, NodeClient, api};
use node_guard::metrics::Metrics;
use node_guard::report::CheckReport;
use node_guard::run::{self, RunOptions};
use node_guard::watch::{self, WatchOptions};

/// Exit code for errors (and for `check`'s unknown).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        let client = api::infer_client().await?;
        Ok(NodeClient::new(client, &name, keys))
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
            Ok(u8::from(r.reboot_required))
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
            let n = node_client(&a.kube).await?;
            let opts = RunOptions {
                host: HostRoot::new(&a.host.host_root),
                listen: a.listen,
                interval: a.interval,
                evict: a.evict_on_kernel_sctp,
                block: !a.no_block,
                duration: a.duration,
            };
            run::run(opts, n, run::default_source(), |_| {}).await?;
            Ok(0)
        }),
    }
}
