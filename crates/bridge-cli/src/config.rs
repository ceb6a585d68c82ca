//! The config file (`--config FILE`, TOML): every setting of `serve`, `worker` and the
//! global flags, at the top level (global) or under `[serve]` and `[worker]`. The file is read
//! with figment (errors name the file and the line); each value it sets becomes the default
//! of its flag, so environment variables and flags override it. Secrets are never taken
//! inline: a key that holds one is refused with the way to give it instead (a file
//! reference, or an environment variable).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Toml};
use figment::value::{Dict, Value};

/// The variable that names a config file when `--config` is not given.
pub const CONFIG_ENV: &str = "PERSONIO_BRIDGE_CONFIG";

/// What a setting's value must be.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    /// A path to a file or directory.
    Path,
    Bool,
    /// A whole number in the range.
    Count(u64, u64),
    /// A duration such as `90s` or `60m`, at least the given one.
    Duration(Duration),
    /// `HOST:PORT`.
    Address,
    /// An `http://` or `https://` address.
    Url,
    /// A list of `http(s)` origins.
    Origins,
    /// The store's location: a path or a URL, without a password.
    Store,
    /// One of the given words.
    Choice(&'static [&'static str]),
}

/// One setting: its section (`""` for global), key, and kind.
struct Setting {
    section: &'static str,
    key: &'static str,
    kind: Kind,
}

const fn setting(section: &'static str, key: &'static str, kind: Kind) -> Setting {
    Setting { section, key, kind }
}

const MINUTE: Duration = Duration::from_secs(60);
const SECOND: Duration = Duration::from_secs(1);

/// Every setting a file may hold; each is the flag of the same name with `_` for `-`.
const SETTINGS: &[Setting] = &[
    setting("", "db", Kind::Store),
    setting("", "db_pool", Kind::Count(1, 1000)),
    setting("", "log_level", Kind::Text),
    setting("", "log_format", Kind::Choice(&["text", "json"])),
    setting("", "otlp_endpoint", Kind::Url),
    setting("serve", "listen", Kind::Address),
    setting("serve", "admin_password_file", Kind::Path),
    setting("serve", "secure_cookies", Kind::Bool),
    setting("serve", "workers", Kind::Count(0, 64)),
    setting("serve", "sync_interval", Kind::Duration(MINUTE)),
    setting("serve", "public_url", Kind::Url),
    setting("serve", "frame_ancestors", Kind::Origins),
    setting("serve", "allow_private_webhooks", Kind::Bool),
    setting("worker", "name", Kind::Text),
    setting("worker", "lease", Kind::Duration(SECOND)),
    setting("worker", "poll", Kind::Duration(Duration::ZERO)),
    setting("worker", "interval", Kind::Duration(Duration::ZERO)),
    setting("worker", "listen", Kind::Address),
    setting("worker", "allow_private_webhooks", Kind::Bool),
];

/// Keys that would hold a secret, with how to give that secret instead.
const SECRETS: &[(&str, &str)] = &[
    (
        "admin_password",
        "put it in a file readable only by the service and set admin_password_file = \"PATH\" under [serve]",
    ),
    (
        "password",
        "secrets are given by file (admin_password_file) or environment, never inline",
    ),
    (
        "key",
        "the store's key comes from PERSONIO_BRIDGE_KEY or the key file beside the database",
    ),
    (
        "encryption_key",
        "the store's key comes from PERSONIO_BRIDGE_KEY or the key file beside the database",
    ),
    (
        "client_secret",
        "Personio credentials are linked with `connect` or the Connect page and stored sealed",
    ),
    (
        "api_key",
        "API keys are made with `api-keys create` and stored hashed",
    ),
    (
        "secret",
        "secrets are given by file or environment, never inline",
    ),
    (
        "token",
        "secrets are given by file or environment, never inline",
    ),
];

/// One thing wrong with a config file (never quoting a secret's value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key as written: `serve.workers`, `db`.
    pub key: String,
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.what)
    }
}

/// A config file read and checked: the flag defaults it sets, by section and key.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// `(section, key)` → the values as the flag would take them.
    values: BTreeMap<(&'static str, &'static str), Vec<String>>,
}

/// Why a config file could not be used.
#[derive(Debug)]
pub enum LoadError {
    /// Not readable, or not TOML.
    Unreadable(String),
    /// Read, with these problems.
    Invalid(Vec<Problem>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Unreadable(why) => f.write_str(why),
            LoadError::Invalid(problems) => {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                f.write_str(&list.join("; "))
            }
        }
    }
}

impl ConfigFile {
    /// Reads and checks `path`: every problem it has, or the settings.
    pub fn load(path: &Path) -> Result<ConfigFile, LoadError> {
        if !path.is_file() {
            return Err(LoadError::Unreadable(format!(
                "{} is not a readable file",
                path.display()
            )));
        }
        let dict: Dict = Figment::from(Toml::file_exact(path))
            .extract()
            .map_err(|e| LoadError::Unreadable(without_values(&e)))?;
        let mut problems = Vec::new();
        let mut values = BTreeMap::new();
        check_section(&dict, "", &mut values, &mut problems);
        if problems.is_empty() {
            Ok(ConfigFile { values })
        } else {
            Err(LoadError::Invalid(problems))
        }
    }

    /// The values the file gives `section.key` (a flag's defaults), if any.
    pub fn get(&self, section: &str, key: &str) -> Option<&[String]> {
        self.values
            .iter()
            .find(|((s, k), _)| *s == section && *k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// Every `(section, key, values)` the file sets.
    pub fn settings(&self) -> impl Iterator<Item = (&'static str, &'static str, &[String])> {
        self.values
            .iter()
            .map(|((section, key), values)| (*section, *key, values.as_slice()))
    }
}

/// A figment error without the offending value (it might be a secret): its kind and place.
fn without_values(error: &figment::Error) -> String {
    let mut text = match &error.kind {
        figment::error::Kind::Message(message) => message.clone(),
        _ => "not a valid TOML document".to_owned(),
    };
    if let Some(metadata) = &error.metadata
        && let Some(source) = &metadata.source
    {
        text = format!("{source}: {text}");
    }
    text
}

fn check_section(
    dict: &Dict,
    section: &'static str,
    values: &mut BTreeMap<(&'static str, &'static str), Vec<String>>,
    problems: &mut Vec<Problem>,
) {
    let name = |key: &str| {
        if section.is_empty() {
            key.to_owned()
        } else {
            format!("{section}.{key}")
        }
    };
    for (key, value) in dict {
        if let Some((_, instead)) = SECRETS
            .iter()
            .find(|(secret, _)| key == secret || key.ends_with(&format!("_{secret}")))
        {
            problems.push(Problem {
                key: name(key),
                what: format!("a secret is never read from the config file: {instead}"),
            });
            continue;
        }
        if section.is_empty() && matches!(key.as_str(), "serve" | "worker") {
            match value {
                Value::Dict(_, inner) => {
                    let inner_section = if key == "serve" { "serve" } else { "worker" };
                    check_section(inner, inner_section, values, problems);
                }
                _ => problems.push(Problem {
                    key: key.clone(),
                    what: format!("must be a table ([{key}])"),
                }),
            }
            continue;
        }
        let Some(setting) = SETTINGS
            .iter()
            .find(|s| s.section == section && s.key == key)
        else {
            let known: Vec<&str> = SETTINGS
                .iter()
                .filter(|s| s.section == section)
                .map(|s| s.key)
                .collect();
            let tables = if section.is_empty() {
                ", [serve], [worker]"
            } else {
                ""
            };
            problems.push(Problem {
                key: name(key),
                what: format!("unknown setting (known here: {}{tables})", known.join(", ")),
            });
            continue;
        };
        match check_value(setting.kind, value) {
            Ok(flag_values) => {
                values.insert((setting.section, setting.key), flag_values);
            }
            Err(what) => problems.push(Problem {
                key: name(key),
                what,
            }),
        }
    }
}

/// The value as the flag takes it, or what is wrong with it.
fn check_value(kind: Kind, value: &Value) -> Result<Vec<String>, String> {
    let text = || match value {
        Value::String(_, text) => Ok(text.clone()),
        _ => Err("must be a string".to_owned()),
    };
    let one = |text: String| Ok(vec![text]);
    match kind {
        Kind::Text | Kind::Path => {
            let text = text()?;
            if text.trim().is_empty() {
                return Err("must not be empty".to_owned());
            }
            one(text)
        }
        Kind::Bool => match value {
            Value::Bool(_, b) => one(b.to_string()),
            _ => Err("must be true or false".to_owned()),
        },
        Kind::Count(low, high) => {
            // TOML integers are signed.
            let n = value
                .to_i128()
                .or_else(|| value.to_u128().and_then(|n| i128::try_from(n).ok()))
                .and_then(|n| u64::try_from(n).ok())
                .filter(|n| (low..=high).contains(n));
            match n {
                Some(n) => one(n.to_string()),
                None => Err(format!("must be a whole number from {low} to {high}")),
            }
        }
        Kind::Duration(min) => {
            let text = text()?;
            match humantime::parse_duration(&text) {
                Ok(d) if d >= min => one(text),
                Ok(_) => Err(format!(
                    "must be at least {}",
                    humantime::format_duration(min)
                )),
                Err(e) => Err(format!(
                    "{text:?} is not a duration such as 90s or 60m: {e}"
                )),
            }
        }
        Kind::Address => {
            let text = text()?;
            let port = text.rsplit_once(':').map(|(_, port)| port.parse::<u16>());
            match port {
                Some(Ok(_)) => one(text),
                _ => Err(format!("{text:?} must be HOST:PORT")),
            }
        }
        Kind::Url => {
            let text = text()?;
            match url::Url::parse(&text) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.password().is_none() => {
                    one(text)
                }
                Ok(url) if url.password().is_some() => Err(
                    "must not carry a password (a secret is never read from the config file)"
                        .to_owned(),
                ),
                _ => Err(format!("{text:?} must be an http(s) address")),
            }
        }
        Kind::Origins => {
            let Value::Array(_, items) = value else {
                return Err(
                    "must be a list of origins such as [\"https://app.example.com\"]".to_owned(),
                );
            };
            items
                .iter()
                .map(|item| match item {
                    Value::String(_, text)
                        if url::Url::parse(text).is_ok_and(|u| {
                            matches!(u.scheme(), "http" | "https") && u.path() == "/"
                        }) =>
                    {
                        Ok(text.clone())
                    }
                    _ => Err(
                        "each entry must be an origin such as \"https://app.example.com\""
                            .to_owned(),
                    ),
                })
                .collect()
        }
        Kind::Store => {
            let text = text()?;
            if let Ok(url) = url::Url::parse(&text)
                && url.scheme().starts_with("postgres")
                && url.password().is_some()
            {
                return Err("the database URL carries a password: a secret is never read from the config file; give the URL in PERSONIO_BRIDGE_DB (or --db) instead".to_owned());
            }
            bridge_store::Location::parse(&text).map_err(|e| e.to_string())?;
            one(text)
        }
        Kind::Choice(words) => {
            let text = text()?;
            if words.contains(&text.as_str()) {
                one(text)
            } else {
                Err(format!("{text:?} must be one of {}", words.join(", ")))
            }
        }
    }
}

/// The config file named by `--config FILE` (or `--config=FILE`) in `args`, else by
/// `PERSONIO_BRIDGE_CONFIG`. Read before the command line is parsed, since the file's values
/// become the flags' defaults.
pub fn requested(args: &[std::ffi::OsString]) -> Option<PathBuf> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        let Some(text) = arg.to_str() else { continue };
        if text == "--" {
            break;
        }
        if text == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os(CONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Makes the file's values the defaults of their flags: global ones on the command itself,
/// the others on the `serve` or `worker` subcommand.
pub fn apply(command: clap::Command, file: &ConfigFile) -> clap::Command {
    let mut command = command;
    for (section, key, values) in file.settings() {
        let values: Vec<clap::builder::OsStr> = values
            .iter()
            .map(|v| clap::builder::OsStr::from(v.clone()))
            .collect();
        let set = move |arg: clap::Arg| arg.default_values(values);
        command = if section.is_empty() {
            command.mut_arg(key, set)
        } else {
            command.mut_subcommand(section, |sub| sub.mut_arg(key, set))
        };
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<ConfigFile, LoadError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bridge.toml");
        std::fs::write(&path, text).unwrap();
        ConfigFile::load(&path)
    }

    fn problems(text: &str) -> Vec<String> {
        match load(text) {
            Err(LoadError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn every_setting_is_read() {
        let file = load(
            r#"
db = "sqlite:///var/lib/bridge.db"
db_pool = 7
log_level = "info,bridge_sync=debug"
log_format = "json"
otlp_endpoint = "http://127.0.0.1:4318"
[serve]
listen = "0.0.0.0:8081"
admin_password_file = "/run/secrets/admin"
secure_cookies = true
workers = 3
sync_interval = "30m"
public_url = "https://bridge.example.com"
frame_ancestors = ["https://app.example.com", "https://b.example.com"]
allow_private_webhooks = true
[worker]
name = "w1"
lease = "30s"
poll = "2s"
interval = "2h"
listen = "127.0.0.1:9100"
allow_private_webhooks = false
"#,
        )
        .unwrap();
        assert_eq!(file.settings().count(), SETTINGS.len());
        assert_eq!(file.get("", "db_pool"), Some(&["7".to_owned()][..]));
        assert_eq!(file.get("serve", "frame_ancestors").unwrap().len(), 2);
        assert_eq!(
            file.get("worker", "listen"),
            Some(&["127.0.0.1:9100".to_owned()][..])
        );
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let found = problems(
            r#"
db_pool = 0
log_format = "xml"
colour = "blue"
[serve]
workers = "two"
sync_interval = "10s"
listen = "nowhere"
[worker]
lease = "soon"
"#,
        );
        for expected in [
            "db_pool: must be a whole number from 1 to 1000",
            "log_format: \"xml\" must be one of text, json",
            "colour: unknown setting",
            "serve.workers: must be a whole number",
            "serve.sync_interval: must be at least 1m",
            "serve.listen: \"nowhere\" must be HOST:PORT",
            "worker.lease: \"soon\" is not a duration",
        ] {
            assert!(
                found.iter().any(|p| p.starts_with(expected)),
                "{expected} in {found:#?}"
            );
        }
        assert_eq!(found.len(), 7, "{found:#?}");
    }

    #[test]
    fn inline_secrets_are_refused_without_quoting_them() {
        let found = problems(
            r#"
db = "postgres://bridge:hunter2-db@db.internal/bridge"
key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
[serve]
admin_password = "hunter2-admin"
"#,
        );
        let text = found.join("\n");
        assert!(
            text.contains("serve.admin_password: a secret is never read"),
            "{text}"
        );
        assert!(text.contains("admin_password_file"), "{text}");
        assert!(text.contains("key: a secret is never read"), "{text}");
        assert!(
            text.contains("db: the database URL carries a password"),
            "{text}"
        );
        for secret in ["hunter2", "AAECAwQF"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn a_file_that_is_not_toml_is_unreadable() {
        assert!(matches!(
            load("db = [unclosed"),
            Err(LoadError::Unreadable(_))
        ));
    }

    #[test]
    fn the_file_is_found_in_the_arguments_before_the_environment() {
        let args = |list: &[&str]| {
            list.iter()
                .map(std::ffi::OsString::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            requested(&args(&["pb", "serve", "--config", "a.toml"])),
            Some(PathBuf::from("a.toml"))
        );
        assert_eq!(
            requested(&args(&["pb", "--config=b.toml", "worker"])),
            Some(PathBuf::from("b.toml"))
        );
    }
}
