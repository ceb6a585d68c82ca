//! Credentials at rest: AES-256-GCM (the RustCrypto `aes-gcm` crate), a fresh random nonce per
//! value, and the company and field as associated data so a ciphertext cannot be moved to
//! another row or column. Stored as base64 of `nonce || ciphertext`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngExt;
use secrecy::{ExposeSecret, SecretString};

/// The 32-byte key. Never printed.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl Key {
    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> Key {
        let mut bytes = [0u8; 32];
        rand::rng().fill(&mut bytes);
        Key(bytes)
    }

    /// Reads base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Option<Key> {
        let bytes = STANDARD.decode(text.trim()).ok()?;
        Some(Key(bytes.try_into().ok()?))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new((&self.0).into())
    }

    /// Encrypts `secret`, bound to `context` (e.g. `company:acme/client_secret`).
    pub fn seal(&self, context: &str, secret: &SecretString) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        STANDARD.encode(out)
    }

    /// Decrypts what [`Key::seal`] produced with the same context; `None` for a wrong key,
    /// a wrong context or damaged data.
    pub fn open(&self, context: &str, sealed: &str) -> Option<SecretString> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok().map(SecretString::from)
    }
}

impl Key {
    /// A token only this key can make: base64url of HMAC-SHA256 over `context` (256 bits).
    /// Lets the store keep a digest of a token and still give the token out again.
    pub fn derive_token(&self, context: &str) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use hmac::{KeyInit as _, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(context.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

impl Key {
    /// A short public name for the key: hex of the first 8 bytes of a SHA-256 over a label
    /// and the key. Tells keys apart (which key seals a store) without revealing either.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(b"personio-bridge key fingerprint\0");
        hasher.update(self.0);
        hasher.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let key = Key::generate();
        let secret = SecretString::from("papi-very-secret".to_owned());
        let sealed = key.seal("acme/client_secret", &secret);
        assert!(!sealed.contains("very-secret"));
        assert_ne!(
            sealed,
            key.seal("acme/client_secret", &secret),
            "a fresh nonce every time"
        );
        assert_eq!(
            key.open("acme/client_secret", &sealed)
                .unwrap()
                .expose_secret(),
            "papi-very-secret"
        );
        assert!(key.open("other/client_secret", &sealed).is_none());
        assert!(
            Key::generate()
                .open("acme/client_secret", &sealed)
                .is_none()
        );
        assert!(key.open("acme/client_secret", "garbage").is_none());
        assert_eq!(format!("{key:?}"), "Key([redacted])");
        assert_eq!(Key::from_base64(&key.to_base64()).unwrap().0, key.0);
        assert!(Key::from_base64("c2hvcnQ=").is_none());
    }

    #[test]
    fn derived_tokens_depend_on_key_and_context() {
        let key = Key::generate();
        let token = key.derive_token("link:ls_1");
        assert_eq!(token.len(), 43);
        assert_eq!(token, key.derive_token("link:ls_1"));
        assert_ne!(token, key.derive_token("link:ls_2"));
        assert_ne!(token, Key::generate().derive_token("link:ls_1"));
    }
}
