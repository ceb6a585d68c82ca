//! Lists as streams of pages: v2 by cursor links, v1 by offset.
//!
//! Design notes:
//! - Every page says where the next one is ([`Page::next`], a serializable [`PageToken`]),
//!   so a caller that stored the token after a page can resume right after it, even in
//!   another process.
//! - v2 follows `_meta.links.next.href` until it is absent (personio-api.md §3.1); the href
//!   is followed as given, since the cursor carries the filters.
//! - v1 steps `offset` by items or by pages, per endpoint (§2.1), and stops at a short page
//!   or when `total_elements` is reached. The page size is the one Personio echoes when it
//!   lowered ours (it clamps `limit` to its maximum), so clamping never ends a list early.
//! - Guards: a repeated cursor, the same page twice, or more than [`MAX_PAGES`] pages stop
//!   the stream with [`Error::Pagination`]; a misbehaving server can never make it loop.
//! - Items keep their exact JSON ([`Record::raw`]) next to the typed value.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use futures::Stream;
use personio_api::v1::{LooseInt, Metadata};
use personio_api::v2::Link;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::client::Client;
use crate::decode::{decode_body, decode_str, join_path};
use crate::error::Error;

/// More pages than this from one list means something is wrong (a million pages of even
/// ten items is more than any company has).
pub const MAX_PAGES: u64 = 1_000_000;

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The page's items, in Personio's order.
    pub items: Vec<Record<T>>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<PageToken>,
}

/// One item: typed, plus its exact JSON as Personio sent it.
#[derive(Debug, Clone)]
pub struct Record<T> {
    /// The item, decoded.
    pub value: T,
    /// The item's JSON text, byte for byte.
    pub raw: Box<RawValue>,
}

/// Where a page starts: a v1 offset (items or page number, per endpoint) or a v2 link.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PageToken {
    /// The v1 `offset` of the page.
    Offset(u64),
    /// The v2 link to the page (`_meta.links.next.href`), as Personio sent it.
    Next(String),
}

/// What a v1 endpoint's `offset` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetKind {
    /// Items, from 0 (employees, attendances, time-off types).
    Items,
    /// Pages, from 1 (time-offs, hourly absence periods).
    PagesFromOne,
}

impl OffsetKind {
    fn first(self) -> u64 {
        match self {
            OffsetKind::Items => 0,
            OffsetKind::PagesFromOne => 1,
        }
    }
}

/// A v2 list body: `_data` is required, so a body of another shape is an error rather
/// than an empty page.
#[derive(Deserialize)]
struct V2Envelope {
    #[serde(rename = "_data")]
    data: Vec<Box<RawValue>>,
    #[serde(rename = "_meta", default)]
    meta: V2Meta,
}

#[derive(Deserialize, Default)]
struct V2Meta {
    #[serde(default)]
    links: V2Links,
}

/// Only `next` matters here; a `null` one counts as absent.
#[derive(Deserialize, Default)]
struct V2Links {
    #[serde(default)]
    next: Option<Link>,
}

/// A v1 list body.
#[derive(Deserialize)]
struct V1Envelope {
    data: Vec<Box<RawValue>>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    limit: Option<LooseInt>,
}

/// Where the next v2 request goes.
enum V2Step {
    First(Vec<(String, String)>),
    Link(String),
    Fail(Error),
}

struct V2Walk {
    next: Option<V2Step>,
    /// Hashes of the links already followed.
    followed: HashSet<u64>,
    pages: u64,
}

/// Where the next v1 request goes.
enum V1Step {
    At(u64),
    Fail(Error),
}

struct V1Walk {
    next: Option<V1Step>,
    previous_page: Option<u64>,
    pages: u64,
}

impl Client {
    /// Streams the pages of a v2 list, following `_meta.links.next.href` (absolute or
    /// relative), from `start` (a token an earlier page returned) or from the first page.
    ///
    /// The stream borrows the client only, not `path`.
    pub fn pages_v2<'a, T: DeserializeOwned + Send + 'static>(
        &'a self,
        path: &str,
        query: Vec<(String, String)>,
        start: Option<PageToken>,
    ) -> impl Stream<Item = Result<Page<T>, Error>> + Send + use<'a, T> {
        let path = path.to_owned();
        let mut followed = HashSet::new();
        let next = match start {
            None => V2Step::First(query),
            Some(PageToken::Next(href)) => {
                followed.insert(digest(&href));
                V2Step::Link(href)
            }
            Some(PageToken::Offset(_)) => V2Step::Fail(Error::Pagination {
                path: path.clone(),
                reason: "an offset cannot start a v2 list, which pages by cursor".into(),
            }),
        };
        let walk = V2Walk {
            next: Some(next),
            followed,
            pages: 0,
        };
        futures::stream::try_unfold(walk, move |mut walk| {
            let path = path.clone();
            async move {
                let body = match walk.next.take() {
                    None => return Ok(None),
                    Some(V2Step::Fail(error)) => return Err(error),
                    Some(V2Step::First(query)) => {
                        let query: Vec<(&str, String)> =
                            query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                        self.get_raw(&path, &query).await?
                    }
                    Some(V2Step::Link(href)) => self.get_link(&href).await?.1,
                };
                let envelope: V2Envelope = decode_body(&path, &body)?;
                // Each item holds its own copy of its text: the body can go first.
                drop(body);
                let items = records(&path, "_data", envelope.data)?;
                walk.pages += 1;
                let next = envelope
                    .meta
                    .links
                    .next
                    .map(|link| link.href)
                    .filter(|href| !href.is_empty());
                if let Some(href) = &next {
                    if !walk.followed.insert(digest(href)) {
                        return Err(Error::Pagination {
                            path,
                            reason: format!("Personio repeated the cursor link {href}"),
                        });
                    }
                    guard_page_count(&path, walk.pages)?;
                    walk.next = Some(V2Step::Link(href.clone()));
                }
                let page = Page {
                    items,
                    next: next.map(PageToken::Next),
                };
                Ok(Some((page, walk)))
            }
        })
    }

    /// Streams the pages of a v1 list by `limit`/`offset`, from `start` or the first page.
    /// `offset_kind` says whether `offset` counts items or pages from 1.
    ///
    /// With `updated_since` in `query` this is one request: Personio then ignores `limit`
    /// and `offset` and returns every match at once (personio-api.md §2.2, H).
    pub fn pages_v1<'a, T: DeserializeOwned + Send + 'static>(
        &'a self,
        path: &str,
        query: Vec<(String, String)>,
        limit: u32,
        offset_kind: OffsetKind,
        start: Option<PageToken>,
    ) -> impl Stream<Item = Result<Page<T>, Error>> + Send + use<'a, T> {
        let path = path.to_owned();
        let everything_at_once = query.iter().any(|(key, _)| key == "updated_since");
        let next = match start {
            _ if limit == 0 => V1Step::Fail(Error::Pagination {
                path: path.clone(),
                reason: "a page size of 0 cannot page".into(),
            }),
            None => V1Step::At(offset_kind.first()),
            Some(PageToken::Offset(offset)) => V1Step::At(offset),
            Some(PageToken::Next(_)) => V1Step::Fail(Error::Pagination {
                path: path.clone(),
                reason: "a cursor link cannot start a v1 list, which pages by offset".into(),
            }),
        };
        let walk = V1Walk {
            next: Some(next),
            previous_page: None,
            pages: 0,
        };
        futures::stream::try_unfold(walk, move |mut walk| {
            let path = path.clone();
            let query = query.clone();
            async move {
                let offset = match walk.next.take() {
                    None => return Ok(None),
                    Some(V1Step::Fail(error)) => return Err(error),
                    Some(V1Step::At(offset)) => offset,
                };
                let mut query: Vec<(&str, String)> =
                    query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                if !everything_at_once {
                    query.push(("limit", limit.to_string()));
                    query.push(("offset", offset.to_string()));
                }
                let body = self.get_raw(&path, &query).await?;
                let envelope: V1Envelope = decode_body(&path, &body)?;
                // Each item holds its own copy of its text: the body can go before the items
                // are decoded (`updated_since` answers in one body of any size).
                drop(body);
                let page_digest =
                    digest(&envelope.data.iter().map(|r| r.get()).collect::<Vec<_>>());
                if !envelope.data.is_empty() && walk.previous_page == Some(page_digest) {
                    return Err(Error::Pagination {
                        path,
                        reason: format!("Personio sent the same page again at offset {offset}"),
                    });
                }
                walk.previous_page = Some(page_digest);
                walk.pages += 1;
                let next = if everything_at_once {
                    None
                } else {
                    next_offset(
                        offset_kind,
                        offset,
                        u64::from(limit),
                        envelope.limit.as_ref().and_then(LooseInt::value),
                        envelope.data.len() as u64,
                        envelope.metadata,
                    )
                };
                let items = records(&path, "data", envelope.data)?;
                if let Some(offset) = next {
                    guard_page_count(&path, walk.pages)?;
                    walk.next = Some(V1Step::At(offset));
                }
                let page = Page {
                    items,
                    next: next.map(PageToken::Offset),
                };
                Ok(Some((page, walk)))
            }
        })
    }
}

/// The offset of the page after one that started at `offset` and held `received` items,
/// or `None` when that was the last page.
fn next_offset(
    kind: OffsetKind,
    offset: u64,
    limit_sent: u64,
    limit_echoed: Option<i64>,
    received: u64,
    metadata: Option<Metadata>,
) -> Option<u64> {
    // Personio lowers a `limit` above its maximum and says so in `limit`; `0` is a quirk
    // of custom reports and means nothing (personio-api.md §2.1).
    let page_size = match limit_echoed {
        Some(echoed) if echoed > 0 => limit_sent.min(echoed as u64),
        _ => limit_sent,
    };
    if received == 0 || received < page_size {
        return None;
    }
    match kind {
        OffsetKind::Items => {
            let next = offset + received;
            match metadata {
                Some(m) if m.total_elements > 0 && next >= m.total_elements => None,
                _ => Some(next),
            }
        }
        OffsetKind::PagesFromOne => match metadata {
            Some(m) if m.total_pages > 0 && offset >= m.total_pages => None,
            _ => Some(offset + 1),
        },
    }
}

fn guard_page_count(path: &str, pages: u64) -> Result<(), Error> {
    if pages >= MAX_PAGES {
        return Err(Error::Pagination {
            path: path.to_owned(),
            reason: format!("more than {MAX_PAGES} pages"),
        });
    }
    Ok(())
}

/// Decodes each item, keeping its raw JSON; a failure names `field[i].path.inside`.
fn records<T: DeserializeOwned>(
    path: &str,
    field: &str,
    items: Vec<Box<RawValue>>,
) -> Result<Vec<Record<T>>, Error> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, raw)| match decode_str::<T>(raw.get()) {
            Ok(value) => Ok(Record { value, raw }),
            Err((at, source)) => Err(Error::Decode {
                path: path.to_owned(),
                at: join_path(&format!("{field}[{i}]"), &at),
                source,
            }),
        })
        .collect()
}

fn digest(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(total_elements: u64, total_pages: u64) -> Option<Metadata> {
        Some(Metadata {
            total_elements,
            current_page: 0,
            total_pages,
        })
    }

    #[test]
    fn item_offsets_step_by_what_was_received() {
        use OffsetKind::Items;
        assert_eq!(
            next_offset(Items, 0, 100, Some(100), 100, meta(250, 3)),
            Some(100)
        );
        assert_eq!(
            next_offset(Items, 200, 100, Some(100), 50, meta(250, 3)),
            None,
            "short page"
        );
        assert_eq!(
            next_offset(Items, 100, 100, None, 100, meta(200, 2)),
            None,
            "total reached"
        );
        assert_eq!(
            next_offset(Items, 0, 100, None, 100, None),
            Some(100),
            "no metadata"
        );
        assert_eq!(
            next_offset(Items, 0, 100, None, 0, None),
            None,
            "empty page"
        );
    }

    #[test]
    fn a_lowered_limit_does_not_end_the_list_early() {
        // We asked for 200; Personio allows 100 and says so.
        let next = next_offset(OffsetKind::Items, 0, 200, Some(100), 100, meta(250, 3));
        assert_eq!(next, Some(100));
        // A string `limit` of 0 (custom reports) is ignored.
        let next = next_offset(OffsetKind::Items, 0, 10, Some(0), 10, None);
        assert_eq!(next, Some(10));
    }

    #[test]
    fn page_numbers_step_by_one_until_the_last_page() {
        use OffsetKind::PagesFromOne;
        assert_eq!(OffsetKind::PagesFromOne.first(), 1);
        assert_eq!(
            next_offset(PagesFromOne, 1, 2, Some(2), 2, meta(5, 3)),
            Some(2)
        );
        assert_eq!(
            next_offset(PagesFromOne, 3, 2, Some(2), 2, meta(6, 3)),
            None
        );
        assert_eq!(
            next_offset(PagesFromOne, 3, 2, Some(2), 1, meta(5, 3)),
            None
        );
    }

    #[test]
    fn page_tokens_serialize_for_checkpoints() {
        let token = PageToken::Next("https://api.personio.de/v2/persons?cursor=x".into());
        let text = serde_json::to_string(&token).unwrap();
        assert_eq!(serde_json::from_str::<PageToken>(&text).unwrap(), token);
        let offset = serde_json::to_string(&PageToken::Offset(200)).unwrap();
        assert_eq!(offset, r#"{"Offset":200}"#);
    }

    #[test]
    fn items_that_do_not_decode_name_their_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: u64,
        }
        let items: Vec<Box<RawValue>> =
            serde_json::from_str(r#"[{"id": 1}, {"id": "2"}]"#).unwrap();
        let error = records::<Item>("/v2/persons", "_data", items).unwrap_err();
        assert!(
            matches!(&error, Error::Decode { at, .. } if at == "_data[1].id"),
            "{error}"
        );
    }
}
