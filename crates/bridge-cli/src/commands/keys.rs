//! `personio-bridge keys rotate`: seals every stored secret with a new key, in one
//! transaction, and puts the new key where the store reads it (see `bridge_store`'s
//! rotation: a crash at any moment leaves a store that opens with the old key or the new).

use clap::{Args, Subcommand};

use super::{Ending, cli_actor};
use crate::context::Context;
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Seal every stored secret with a new key and replace the key file.
    Rotate {
        /// Write the new key to this new file (mode 0600) and leave the current key file
        /// alone; required when the key comes from PERSONIO_BRIDGE_KEY.
        #[arg(long, value_name = "FILE")]
        new_key_file: Option<std::path::PathBuf>,
        /// text (default) or json.
        #[arg(long, value_enum, default_value_t)]
        output: Format,
    },
}

pub async fn run(args: KeysArgs, context: &Context) -> anyhow::Result<Ending> {
    let KeysCommand::Rotate {
        new_key_file,
        output,
    } = args.command;
    let store = context.store().await?;
    let rotation = store
        .rotate_key(new_key_file.as_deref(), &cli_actor(), chrono::Utc::now())
        .await?;
    store.close().await;
    if output == Format::Json {
        print_json(&rotation)?;
        return Ok(Ending::Done);
    }
    println!(
        "re-sealed {} company secrets and {} webhook secrets with key {} (was {}); {} link session URLs changed",
        rotation.company_secrets,
        rotation.webhook_secrets,
        rotation.new_fingerprint,
        rotation.old_fingerprint,
        rotation.link_sessions
    );
    if rotation.replaced_key_file {
        println!(
            "the key file {} holds the new key",
            rotation.key_file.display()
        );
    } else {
        println!(
            "the new key is in {}: give it to every process that opens this store (PERSONIO_BRIDGE_KEY or the key file); the old key opens nothing any more",
            rotation.key_file.display()
        );
    }
    Ok(Ending::Done)
}
