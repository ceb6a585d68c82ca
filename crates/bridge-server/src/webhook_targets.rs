//! Which addresses change webhooks may be sent to. A subscription is an instruction to make
//! requests from inside the operator's network, so by default it may not reach that network:
//! loopback, private (RFC 1918, ULA), link-local, cloud metadata, carrier-grade NAT and other
//! special-purpose addresses are refused, both when a subscription is created and again at
//! every delivery against the addresses its host resolves to then (so a name that later
//! resolves to such an address is not followed). An operator whose receivers live on such a
//! network says so with `--allow-private-webhooks`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The flag that allows private targets, for messages.
pub const ALLOW_FLAG: &str = "--allow-private-webhooks";

/// Host names of cloud metadata services, refused whatever they resolve to (they usually
/// resolve only inside the cloud, to a link-local address the resolution check catches too).
const METADATA_NAMES: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
];

/// How long resolving a subscription's host may take when it is created.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// A target that may not be used, and why (the text names the address and the way to allow it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{host} {how} {kind} address; change webhooks go only to public addresses unless the service and workers run with {ALLOW_FLAG}"
)]
pub struct Refused {
    host: String,
    how: String,
    kind: &'static str,
}

impl Refused {
    fn new(host: &str, ip: Option<IpAddr>, kind: &'static str) -> Refused {
        let how = match ip {
            Some(ip) if ip.to_string() == host.trim_matches(['[', ']']) => "is a".to_owned(),
            Some(ip) => format!("resolves to {ip}, a"),
            None => "names a".to_owned(),
        };
        Refused {
            host: host.to_owned(),
            how,
            kind,
        }
    }
}

/// What kind of special-purpose address `ip` is, or `None` for an ordinary public one.
pub fn special(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => special_v4(ip),
        IpAddr::V6(ip) => special_v6(ip),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let kind = if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200)
    {
        "cloud metadata"
    } else if a == 0 {
        "unspecified"
    } else if ip.is_loopback() {
        "loopback"
    } else if ip.is_private() {
        "private"
    } else if ip.is_link_local() {
        "link-local"
    } else if a == 100 && (64..128).contains(&b) {
        "carrier-grade NAT"
    } else if a == 192 && b == 0 && c == 0 {
        "protocol-assignment"
    } else if ip.is_documentation() {
        "documentation"
    } else if a == 198 && (b == 18 || b == 19) {
        "benchmarking"
    } else if ip.is_multicast() {
        "multicast"
    } else if a >= 240 {
        "reserved"
    } else {
        return None;
    };
    Some(kind)
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // Addresses that carry an IPv4 address are judged by it: mapped (::ffff:a.b.c.d),
    // NAT64 (64:ff9b::a.b.c.d) and the deprecated compatible form (::a.b.c.d).
    if let Some(v4) = ip.to_ipv4_mapped() {
        return special_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || (segments[..6] == [0; 6] && segments[6] != 0)
    {
        let [.., hi, lo] = segments;
        let v4 = Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
        return special_v4(v4);
    }
    let first = segments[0];
    let kind = if segments == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254] {
        "cloud metadata"
    } else if ip.is_unspecified() {
        "unspecified"
    } else if ip.is_loopback() {
        "loopback"
    } else if first & 0xfe00 == 0xfc00 {
        "private (unique local)"
    } else if first & 0xffc0 == 0xfe80 {
        "link-local"
    } else if first & 0xffc0 == 0xfec0 {
        "site-local"
    } else if first & 0xff00 == 0xff00 {
        "multicast"
    } else if first == 0x2001 && segments[1] == 0xdb8 {
        "documentation"
    } else if first == 0x64 && segments[1] == 0xff9b && segments[2] == 1 {
        "private (local NAT64)"
    } else if segments[..4] == [0x100, 0, 0, 0] {
        "discard"
    } else {
        return None;
    };
    Some(kind)
}

/// The policy one process applies to webhook targets.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetPolicy {
    /// Allow every address (`--allow-private-webhooks`).
    pub allow_private: bool,
}

impl TargetPolicy {
    /// Refuses `ip` when the policy does not allow it; `host` is how the URL named it.
    pub fn check_ip(self, host: &str, ip: IpAddr) -> Result<(), Refused> {
        match special(ip) {
            Some(kind) if !self.allow_private => Err(Refused::new(host, Some(ip), kind)),
            _ => Ok(()),
        }
    }

    /// Refuses a host name that names a metadata service. Other names (`localhost`
    /// included) are judged by what they resolve to.
    pub fn check_name(self, host: &str) -> Result<(), Refused> {
        if self.allow_private {
            return Ok(());
        }
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        if METADATA_NAMES.contains(&name.as_str()) {
            return Err(Refused::new(host, None, "cloud metadata"));
        }
        Ok(())
    }

    /// Checks a subscription's URL when it is created: its literal address, or its host name
    /// and every address the name resolves to now. A name that does not resolve (yet) is
    /// let through: each delivery checks it again.
    pub async fn check_url(self, url: &url::Url) -> Result<(), Refused> {
        if self.allow_private {
            return Ok(());
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_ip(&ip.to_string(), ip.into()),
            Some(url::Host::Ipv6(ip)) => self.check_ip(&format!("[{ip}]"), ip.into()),
            Some(url::Host::Domain(name)) => {
                self.check_name(name)?;
                let port = url.port_or_known_default().unwrap_or(443);
                let found = tokio::time::timeout(
                    RESOLVE_TIMEOUT,
                    tokio::net::lookup_host((name.to_owned(), port)),
                )
                .await;
                if let Ok(Ok(addrs)) = found {
                    for addr in addrs {
                        self.check_ip(name, addr.ip())?;
                    }
                }
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Checks the literal address of a URL about to be requested (the resolver below is not
    /// asked about those).
    pub fn check_literal(self, url: &url::Url) -> Result<(), Refused> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_ip(&ip.to_string(), ip.into()),
            Some(url::Host::Ipv6(ip)) => self.check_ip(&format!("[{ip}]"), ip.into()),
            Some(url::Host::Domain(name)) => self.check_name(name),
            None => Ok(()),
        }
    }

    /// A resolver for the delivery client: it resolves a host, checks every address and
    /// hands the client only checked addresses, so the connection goes where the check looked.
    pub fn resolver(self) -> Arc<CheckedResolver> {
        Arc::new(CheckedResolver { policy: self })
    }
}

/// See [`TargetPolicy::resolver`].
#[derive(Debug)]
pub struct CheckedResolver {
    policy: TargetPolicy,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            policy.check_name(&host)?;
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for addr in &addrs {
                policy.check_ip(&host, addr.ip())?;
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<&'static str> {
        special(text.parse().unwrap())
    }

    #[test]
    fn special_purpose_addresses_are_named_and_public_ones_pass() {
        for (ip, expected) in [
            ("127.0.0.1", "loopback"),
            ("127.255.0.9", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("169.254.10.1", "link-local"),
            ("169.254.169.254", "cloud metadata"),
            ("100.100.100.200", "cloud metadata"),
            ("100.64.0.1", "carrier-grade NAT"),
            ("100.127.255.254", "carrier-grade NAT"),
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "unspecified"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("198.18.0.1", "benchmarking"),
            ("192.0.0.170", "protocol-assignment"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fc00::1", "private (unique local)"),
            ("fd12:3456::1", "private (unique local)"),
            ("fd00:ec2::254", "cloud metadata"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "cloud metadata"),
            ("64:ff9b::10.0.0.1", "private"),
            ("::10.0.0.1", "private"),
            ("2001:db8::1", "documentation"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "64:ff9b::8.8.8.8",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn names_of_metadata_services_are_refused_unless_allowed() {
        let strict = TargetPolicy::default();
        for name in ["metadata.google.internal", "METADATA.google.internal."] {
            assert!(strict.check_name(name).is_err(), "{name}");
        }
        assert!(strict.check_name("hooks.example.com").is_ok());
        let open = TargetPolicy {
            allow_private: true,
        };
        assert!(open.check_name("metadata.google.internal").is_ok());
        assert!(
            open.check_ip("10.0.0.1", "10.0.0.1".parse().unwrap())
                .is_ok()
        );
    }

    #[test]
    fn the_refusal_names_the_address_and_the_flag() {
        let refused = TargetPolicy::default()
            .check_ip("hooks.internal", "10.0.0.7".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(refused.contains("hooks.internal resolves to 10.0.0.7, a private address"));
        assert!(refused.contains(ALLOW_FLAG), "{refused}");
    }
}
