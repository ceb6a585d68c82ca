//! Tool calls counted by tool and outcome, with the time they took, for the service's
//! `/metrics`. Unknown tool names are counted under `unknown`, so a caller cannot add labels.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

/// Counters shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct ToolStats {
    totals: Arc<Mutex<BTreeMap<(&'static str, &'static str), Totals>>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    calls: u64,
    seconds: f64,
}

/// One tool's calls with one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolStat {
    pub tool: &'static str,
    /// `ok`, `tool_error` (an answer the caller can act on: bad arguments, not found, not
    /// allowed, refused by Personio) or `error` (the bridge failed).
    pub outcome: &'static str,
    pub calls: u64,
    pub seconds: f64,
}

impl ToolStats {
    pub(crate) fn record(&self, tool: &'static str, outcome: &'static str, took: Duration) {
        let mut totals = self.totals.lock();
        let entry = totals.entry((tool, outcome)).or_default();
        entry.calls += 1;
        entry.seconds += took.as_secs_f64();
    }

    /// Every (tool, outcome) seen so far, by tool and outcome.
    pub fn snapshot(&self) -> Vec<ToolStat> {
        self.totals
            .lock()
            .iter()
            .map(|(&(tool, outcome), totals)| ToolStat {
                tool,
                outcome,
                calls: totals.calls,
                seconds: totals.seconds,
            })
            .collect()
    }

    /// The counters in Prometheus' text format.
    pub fn render_prometheus(&self) -> String {
        let snapshot = self.snapshot();
        let mut out = String::from(
            "# HELP bridge_mcp_tool_calls_total MCP tool calls by tool and outcome.\n\
             # TYPE bridge_mcp_tool_calls_total counter\n",
        );
        for stat in &snapshot {
            out.push_str(&format!(
                "bridge_mcp_tool_calls_total{{tool=\"{}\",outcome=\"{}\"}} {}\n",
                stat.tool, stat.outcome, stat.calls
            ));
        }
        out.push_str(
            "# HELP bridge_mcp_tool_seconds_total Time spent in MCP tool calls.\n\
             # TYPE bridge_mcp_tool_seconds_total counter\n",
        );
        for stat in &snapshot {
            out.push_str(&format!(
                "bridge_mcp_tool_seconds_total{{tool=\"{}\",outcome=\"{}\"}} {}\n",
                stat.tool, stat.outcome, stat.seconds
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_by_tool_and_outcome() {
        let stats = ToolStats::default();
        stats.record("absent", "ok", Duration::from_millis(2));
        stats.record("absent", "ok", Duration::from_millis(3));
        stats.record("unknown", "tool_error", Duration::ZERO);
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.len(), 2);
        assert_eq!((snapshot[0].tool, snapshot[0].calls), ("absent", 2));
        let text = stats.render_prometheus();
        assert!(text.contains("bridge_mcp_tool_calls_total{tool=\"absent\",outcome=\"ok\"} 2"));
        assert!(
            text.contains("bridge_mcp_tool_calls_total{tool=\"unknown\",outcome=\"tool_error\"} 1")
        );
    }
}
