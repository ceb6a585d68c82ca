//! Chaos on writes: creates, updates and deletes of attendance periods under every fault
//! the sandbox can plan, before Personio handles the request and after (the write applied,
//! its answer lost), and under seeded random mixes; likewise absences, projects, employee
//! creates and changes, document uploads and recruiting applications (with and without an
//! attachment). Afterwards Personio must hold exactly the intended records, none twice,
//! none missing, and the store what Personio holds.
//!
//! `CHAOS_WRITE_RUNS` sets how many random mixes run (default 2, as CI runs it;
//! `scripts/chaos-writes` runs 50), `CHAOS_SEED` the first mix's seed.

use std::collections::BTreeMap;

use bridge_store::tables::ATTENDANCE_PERIODS;
use bridge_store::{Key, RecordQuery, Value as Stored};
use bridge_sync::write::attendance::{AttendanceChanges, NewAttendance};
use bridge_sync::write::{Intent, Progress, WriteError, Writer};
use bridge_testkit::{RunningSandbox, spawn_sandbox};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::plans::fault_kinds;
use crate::store::{TestStore, fresh_store};
use crate::{clear_faults, client, env_number, faults_applied, plan_faults};

const PATH: &str = "/v2/attendance-periods";

/// Calls with one key before a write counts as never finishing (a caller retrying).
const MOST_CALLS: usize = 12;

/// Every fault as a write meets it: each kind before handling, and those that can come
/// after handling (the write applied, its answer a 5xx, a reset or late).
fn write_faults() -> Vec<(String, Value, bool)> {
    let mut faults: Vec<(String, Value, bool)> = fault_kinds()
        .into_iter()
        .map(|(name, fault)| (name.to_owned(), fault, false))
        .collect();
    for (name, fault) in fault_kinds() {
        if matches!(fault["kind"].as_str(), Some("status" | "reset" | "delay")) {
            faults.push((format!("{name} after applying"), fault, true));
        }
    }
    faults
}

struct World {
    sandbox: RunningSandbox,
    target: TestStore,
    writer: Writer,
    people: Vec<i64>,
}

async fn world() -> World {
    let sandbox = spawn_sandbox(bridge_testkit::sandbox(5, 12).history_days(3));
    let target = fresh_store(&sandbox.base_url).await;
    let writer = Writer::new(
        target.store.clone(),
        client(&sandbox.base_url),
        target.company.clone(),
    );
    let persons: Value = writer
        .client()
        .get("/v2/persons", &[("limit", "50".to_owned())])
        .await
        .unwrap();
    let people = persons["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().parse().unwrap())
        .collect();
    World {
        sandbox,
        target,
        writer,
        people,
    }
}

/// Writes until the write is done (as a caller retrying with the same key would).
async fn until_done(writer: &Writer, key: &str, intent: &Intent) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..MOST_CALLS {
        match writer.write("cli:chaos", key, intent).await {
            Ok(written) => return Ok(written.id),
            Err(WriteError::Refused(refusal)) => {
                return Err(format!("refused {}: {}", refusal.status, refusal.message));
            }
            Err(error) => last = error.to_string(),
        }
    }
    Err(format!("unfinished after {MOST_CALLS} calls: {last}"))
}

/// Like [`until_done`], the way the bulk command writes: deferred, then read back and
/// stored as a batch.
async fn until_done_deferred(
    writer: &Writer,
    key: &str,
    intent: &Intent,
) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..MOST_CALLS {
        let error = match writer.write_deferred("cli:chaos", key, intent).await {
            Ok(Progress::Done(written)) => return Ok(written.id),
            Ok(Progress::Accepted { id }) => {
                match writer
                    .store_accepted(&[(key.to_owned(), intent.clone(), id)])
                    .await
                    .pop()
                {
                    Some(Ok(written)) => return Ok(written.id),
                    Some(Err(error)) => error,
                    None => return Err("nothing stored".into()),
                }
            }
            Err(error) => error,
        };
        match error {
            WriteError::Refused(refusal) => {
                return Err(format!("refused {}: {}", refusal.status, refusal.message));
            }
            error => last = error.to_string(),
        }
    }
    Err(format!("unfinished after {MOST_CALLS} calls: {last}"))
}

/// A period in 2027 (after the sandbox's history), distinct per `slot`.
fn period(person: i64, slot: u32) -> NewAttendance {
    let day = 1 + slot % 28;
    let month = 1 + (slot / 28) % 12;
    NewAttendance {
        employee_id: person,
        kind: "WORK".into(),
        start: format!("2027-{month:02}-{day:02}T08:00:00"),
        end: Some(format!("2027-{month:02}-{day:02}T12:00:00")),
        project_id: None,
        comment: Some(format!("slot {slot}")),
        confirmed: true,
    }
}

/// Periods by (person, start): their ids and comments.
type Held = BTreeMap<(i64, String), Vec<(String, Option<String>)>>;

/// Personio's 2027 periods.
async fn personio_periods(world: &World) -> Held {
    let mut out = Held::new();
    let mut href = format!("{PATH}?limit=100&start.date_time.gte=2027-01-01T00:00:00");
    loop {
        let page: Value = world.writer.client().get(&href, &[]).await.unwrap();
        for p in page["_data"].as_array().unwrap() {
            out.entry((
                p["person"]["id"].as_str().unwrap().parse().unwrap(),
                p["start"]["date_time"].as_str().unwrap().to_owned(),
            ))
            .or_default()
            .push((
                p["id"].as_str().unwrap().to_owned(),
                p["comment"].as_str().map(str::to_owned),
            ));
        }
        match page["_meta"]["links"]["next"]["href"].as_str() {
            Some(next) => href = next.to_owned(),
            None => return out,
        }
    }
}

/// The store's live 2027 periods: id → comment.
async fn stored_periods(world: &World) -> BTreeMap<String, Option<String>> {
    let rows = world
        .target
        .store
        .browse(
            world.target.company.id,
            &ATTENDANCE_PERIODS,
            &RecordQuery {
                limit: 100_000,
                ..RecordQuery::default()
            },
        )
        .await
        .unwrap();
    let comment = ATTENDANCE_PERIODS.column_index("comment").unwrap();
    let start = ATTENDANCE_PERIODS.column_index("start").unwrap();
    rows.into_iter()
        .filter(|r| matches!(&r.values[start], Stored::Text(s) if s.starts_with("2027")))
        .map(|r| {
            let id = match r.key {
                Key::Text(s) => s,
                Key::Int(n) => n.to_string(),
            };
            let comment = match &r.values[comment] {
                Stored::Text(s) => Some(s.clone()),
                _ => None,
            };
            (id, comment)
        })
        .collect()
}

/// What Personio and the store must hold: (person, start) → comment.
type Expected = BTreeMap<(i64, String), String>;

async fn check(world: &World, expected: &Expected) -> Result<(), String> {
    let held = personio_periods(world).await;
    for (slot, periods) in &held {
        match expected.get(slot) {
            None => {
                return Err(format!(
                    "Personio holds {slot:?}, which was not intended: {periods:?}"
                ));
            }
            Some(_) if periods.len() != 1 => {
                return Err(format!("Personio holds {slot:?} {} times", periods.len()));
            }
            Some(comment) if periods[0].1.as_deref() != Some(comment) => {
                return Err(format!(
                    "{slot:?} has comment {:?}, not {comment:?}",
                    periods[0].1
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(missing) = expected.keys().find(|slot| !held.contains_key(slot)) {
        return Err(format!("Personio lacks {missing:?}"));
    }
    let stored = stored_periods(world).await;
    let personio: BTreeMap<String, Option<String>> = held.into_values().flatten().collect();
    if stored != personio {
        return Err(format!("the store holds {stored:?}, Personio {personio:?}"));
    }
    Ok(())
}

/// One fault on the first request of `method`: the write goes through once.
async fn one_fault(
    world: &World,
    slot: u32,
    method: &str,
    fault: &Value,
    after: bool,
) -> Result<u64, String> {
    let person = world.people[slot as usize % world.people.len()];
    let new = period(person, slot);
    let start = new.start.clone();
    let mut expected: Expected = personio_periods(world)
        .await
        .into_iter()
        .map(|(slot, p)| (slot, p[0].1.clone().unwrap_or_default()))
        .collect();
    let create = Intent::CreateAttendance(new.clone());
    let key = |op: &str| format!("{method}-{slot}-{op}");
    if method != "POST" {
        until_done(&world.writer, &key("setup"), &create).await?;
    }
    let rule = json!({"rules": [{"path_prefix": PATH, "method": method, "first": 1, "fault": fault, "after": after}]});
    plan_faults(&world.sandbox, rule).await;
    match method {
        "POST" => {
            until_done(&world.writer, &key("create"), &create).await?;
            expected.insert((person, start), new.comment.clone().unwrap_or_default());
        }
        "PATCH" => {
            let id = personio_periods(world).await[&(person, start.clone())][0]
                .0
                .clone();
            let changes = AttendanceChanges {
                comment: Some(Some(format!("changed {slot}"))),
                confirmed: true,
                ..AttendanceChanges::default()
            };
            until_done(
                &world.writer,
                &key("update"),
                &Intent::UpdateAttendance { id, changes },
            )
            .await?;
            expected.insert((person, start), format!("changed {slot}"));
        }
        _ => {
            let id = personio_periods(world).await[&(person, start.clone())][0]
                .0
                .clone();
            until_done(
                &world.writer,
                &key("delete"),
                &Intent::DeleteAttendance { id },
            )
            .await?;
        }
    }
    let faulted = faults_applied(&world.sandbox).await;
    clear_faults(&world.sandbox).await;
    if faulted == 0 {
        return Err("the fault never applied".into());
    }
    check(world, &expected).await?;
    Ok(faulted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_under_every_fault_land_exactly_once() {
    let world = world().await;
    let mut slot = 0;
    let mut failures = Vec::new();
    let mut runs = 0;
    for method in ["POST", "PATCH", "DELETE"] {
        for (name, fault, after) in write_faults() {
            slot += 1;
            runs += 1;
            match one_fault(&world, slot, method, &fault, after).await {
                Ok(faulted) => println!("ok    {method} {name}: {faulted} fault(s)"),
                Err(why) => {
                    println!("FAIL  {method} {name}: {why}");
                    failures.push(format!("{method} {name}: {why}"));
                }
            }
        }
    }
    println!("{runs} fault runs, {} failed", failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A seeded plan on the attendance endpoint, every method, reads included.
fn write_mix(seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let kinds = write_faults();
    let rules: Vec<Value> = (0..rng.random_range(1..=4))
        .map(|i| {
            let (_, fault, after) = &kinds[rng.random_range(0..kinds.len())];
            let method = ["POST", "PATCH", "DELETE", "GET"][rng.random_range(0..4)];
            let most = if fault["kind"] == "delay" { 0.1 } else { 0.4 };
            json!({
                "path_prefix": PATH,
                "method": method,
                "probability": (rng.random_range(0.05..most) * 100.0_f64).round() / 100.0,
                "seed": seed.wrapping_mul(31).wrapping_add(i),
                "fault": fault,
                "after": after,
            })
        })
        .collect();
    json!({ "rules": rules })
}

/// Creates, then updates some and deletes some, all under the mix.
async fn mix(seed: u64) -> Result<(u64, usize), String> {
    let world = world().await;
    let plan = write_mix(seed);
    plan_faults(&world.sandbox, plan.clone()).await;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let mut expected = Expected::new();
    let mut writes = 0;
    let mut ids = Vec::new();
    for slot in 0..12u32 {
        let person = world.people[rng.random_range(0..world.people.len())];
        let new = period(person, slot);
        let create = Intent::CreateAttendance(new.clone());
        // Odd seeds write as the bulk command does: deferred, then read back and stored.
        let id = if seed % 2 == 1 {
            until_done_deferred(&world.writer, &format!("c{slot}"), &create).await?
        } else {
            until_done(&world.writer, &format!("c{slot}"), &create).await?
        };
        writes += 1;
        expected.insert(
            (person, new.start.clone()),
            new.comment.clone().unwrap_or_default(),
        );
        ids.push((id, person, new.start));
    }
    for (i, (id, person, start)) in ids.into_iter().enumerate() {
        match rng.random_range(0..3) {
            0 => {
                let changes = AttendanceChanges {
                    comment: Some(Some(format!("changed {i}"))),
                    confirmed: true,
                    ..AttendanceChanges::default()
                };
                until_done(
                    &world.writer,
                    &format!("u{i}"),
                    &Intent::UpdateAttendance { id, changes },
                )
                .await?;
                expected.insert((person, start), format!("changed {i}"));
                writes += 1;
            }
            1 => {
                until_done(
                    &world.writer,
                    &format!("d{i}"),
                    &Intent::DeleteAttendance { id },
                )
                .await?;
                expected.remove(&(person, start));
                writes += 1;
            }
            _ => {}
        }
    }
    let faulted = faults_applied(&world.sandbox).await;
    clear_faults(&world.sandbox).await;
    check(&world, &expected)
        .await
        .map_err(|e| format!("{e}\nplan: {plan}"))?;
    Ok((faulted, writes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_under_seeded_fault_mixes_land_exactly_once() {
    let runs = env_number("CHAOS_WRITE_RUNS", 2);
    let first = env_number("CHAOS_SEED", 1);
    let mut failed = Vec::new();
    let (mut faults, mut writes) = (0, 0);
    for seed in first..first + runs {
        match mix(seed).await {
            Ok((f, w)) => {
                println!("ok    seed {seed}: {w} writes, {f} faults");
                faults += f;
                writes += w;
            }
            Err(why) => {
                println!("FAIL  seed {seed}: {why}");
                failed.push(seed);
            }
        }
    }
    println!("{runs} mixes, {writes} writes, {faults} faults; failing seeds: {failed:?}");
    assert!(failed.is_empty(), "failing seeds: {failed:?}");
}

/// Personio's absences in 2027 of `person`: their ids.
async fn absences_2027(world: &World, person: i64) -> Vec<String> {
    let page: Value = world
        .writer
        .client()
        .get(
            "/v2/absence-periods",
            &[
                ("person.id", person.to_string()),
                (
                    "starts_from.date_time.gte",
                    "2027-01-01T00:00:00".to_owned(),
                ),
                ("limit", "100".to_owned()),
            ],
        )
        .await
        .unwrap();
    page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["starts_from"]["date_time"].as_str().unwrap() >= "2027")
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absence_writes_under_every_fault_land_exactly_once() {
    use bridge_sync::write::absence::NewAbsence;
    let world = world().await;
    let types: Value = world
        .writer
        .client()
        .get("/v2/absence-types", &[])
        .await
        .unwrap();
    let vacation = types["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Paid vacation")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut failures = Vec::new();
    let mut runs = 0;
    for (slot, (method, (name, fault, after))) in ["POST", "DELETE"]
        .into_iter()
        .flat_map(|m| write_faults().into_iter().map(move |f| (m, f)))
        .enumerate()
    {
        runs += 1;
        let person = world.people[slot % world.people.len()];
        let day = 1 + (slot / world.people.len()) as u32 * 3;
        let new = NewAbsence::from_json(json!({
            "employee_id": person, "absence_type_id": vacation,
            "start": format!("2027-05-{day:02}"), "end": format!("2027-05-{:02}", day + 1),
            "status": "APPROVED"
        }))
        .unwrap();
        let before = absences_2027(&world, person).await.len();
        let create = Intent::CreateAbsence(new);
        let key = |op: &str| format!("absence-{method}-{slot}-{op}");
        let outcome = async {
            if method == "DELETE" {
                until_done(&world.writer, &key("setup"), &create).await?;
            }
            let rule = json!({"rules": [{"path_prefix": "/v2/absence-periods", "method": method, "first": 1, "fault": fault, "after": after}]});
            plan_faults(&world.sandbox, rule).await;
            let expected = if method == "POST" {
                until_done(&world.writer, &key("create"), &create).await?;
                before + 1
            } else {
                let id = absences_2027(&world, person).await.pop().ok_or("no absence to delete")?;
                until_done(&world.writer, &key("delete"), &Intent::DeleteAbsence { id }).await?;
                before
            };
            let faulted = faults_applied(&world.sandbox).await;
            clear_faults(&world.sandbox).await;
            let held = absences_2027(&world, person).await.len();
            if faulted == 0 {
                return Err("the fault never applied".to_owned());
            }
            if held != expected {
                return Err(format!("Personio holds {held} absences, not {expected}"));
            }
            Ok::<u64, String>(faulted)
        }
        .await;
        clear_faults(&world.sandbox).await;
        match outcome {
            Ok(faulted) => println!("ok    absence {method} {name}: {faulted} fault(s)"),
            Err(why) => {
                println!("FAIL  absence {method} {name}: {why}");
                failures.push(format!("{method} {name}: {why}"));
            }
        }
    }
    println!("{runs} absence fault runs, {} failed", failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Journals `intent` under `key` and leaves it `sending`, as a process killed while its
/// request was on the wire leaves it.
async fn killed_while_sending(world: &World, key: &str, intent: &Intent) {
    use bridge_store::{JournalState, JournalStep, NewWrite};
    let store = &world.target.store;
    let company = world.target.company.id;
    store
        .journal_intent(
            NewWrite {
                company,
                key: key.into(),
                resource: intent.table().name.into(),
                operation: intent.operation().as_str().into(),
                target_id: None,
                request: intent.canonical(),
                request_hash: intent.digest(),
                requested_by: "cli:chaos".into(),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    store
        .journal_step(JournalStep {
            company,
            key,
            state: JournalState::Sending,
            target_id: None,
            outcome: None,
            sent: true,
            read: false,
            now: chrono::Utc::now(),
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_left_open_by_a_killed_process_are_resolved_at_the_next_start() {
    let world = world().await;
    // One whose request reached Personio before the process died, one whose did not.
    let reached = period(world.people[0], 300);
    let lost = period(world.people[1], 301);
    let reached_intent = Intent::CreateAttendance(reached.clone());
    let lost_intent = Intent::CreateAttendance(lost.clone());
    killed_while_sending(&world, "reached", &reached_intent).await;
    killed_while_sending(&world, "lost", &lost_intent).await;
    let _: Value = world
        .writer
        .client()
        .post_json(
            &format!("{PATH}?skip_approval=true"),
            &json!({
                "person": {"id": reached.employee_id.to_string()}, "type": "WORK",
                "start": {"date_time": reached.start}, "end": {"date_time": reached.end},
                "comment": reached.comment,
            }),
        )
        .await
        .unwrap();

    let recovered = world.writer.recover().await.unwrap();
    assert_eq!(recovered.len(), 2);
    for (key, result) in &recovered {
        assert!(result.is_ok(), "{key}: {result:?}");
    }
    let mut expected = Expected::new();
    for new in [&reached, &lost] {
        expected.insert(
            (new.employee_id, new.start.clone()),
            new.comment.clone().unwrap_or_default(),
        );
    }
    check(&world, &expected).await.unwrap();
    let entry = world
        .target
        .store
        .journal_entry(world.target.company.id, "reached")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (entry.sends, entry.reads),
        (1, 1),
        "resolved by a read, not sent again"
    );
    assert!(
        world
            .target
            .store
            .journal_open(None)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Personio's projects named `name`: (id, description) of each.
async fn projects_named(world: &World, name: &str) -> Vec<(String, Value)> {
    let page: Value = world
        .writer
        .client()
        .get("/v2/projects", &[("name", name.to_owned())])
        .await
        .unwrap();
    page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["description"].clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_writes_under_every_fault_land_exactly_once() {
    use bridge_sync::write::project::ProjectFields;
    let world = world().await;
    let mut failures = Vec::new();
    let mut runs = 0;
    for (slot, (method, (name, fault, after))) in ["POST", "PATCH", "DELETE"]
        .into_iter()
        .flat_map(|m| write_faults().into_iter().map(move |f| (m, f)))
        .enumerate()
    {
        runs += 1;
        let project = format!("Chaos {slot}");
        let create = Intent::CreateProject(
            ProjectFields::from_json(json!({"name": project}), true).unwrap(),
        );
        let key = |op: &str| format!("project-{slot}-{op}");
        let outcome = async {
            if method != "POST" {
                until_done(&world.writer, &key("setup"), &create).await?;
            }
            let rule = json!({"rules": [{"path_prefix": "/v2/projects", "method": method, "first": 1, "fault": fault, "after": after}]});
            plan_faults(&world.sandbox, rule).await;
            let expected = match method {
                "POST" => {
                    until_done(&world.writer, &key("create"), &create).await?;
                    vec![Value::Null]
                }
                "PATCH" => {
                    let id = projects_named(&world, &project).await[0].0.clone();
                    let changes =
                        ProjectFields::from_json(json!({"description": "changed"}), false).unwrap();
                    until_done(&world.writer, &key("update"), &Intent::UpdateProject { id, changes })
                        .await?;
                    vec![json!("changed")]
                }
                _ => {
                    let id = projects_named(&world, &project).await[0].0.clone();
                    until_done(&world.writer, &key("delete"), &Intent::DeleteProject { id }).await?;
                    vec![]
                }
            };
            let faulted = faults_applied(&world.sandbox).await;
            clear_faults(&world.sandbox).await;
            let held: Vec<Value> = projects_named(&world, &project)
                .await
                .into_iter()
                .map(|(_, description)| description)
                .collect();
            if faulted == 0 {
                return Err("the fault never applied".to_owned());
            }
            if held != expected {
                return Err(format!("Personio holds {held:?}, not {expected:?}"));
            }
            Ok::<u64, String>(faulted)
        }
        .await;
        clear_faults(&world.sandbox).await;
        match outcome {
            Ok(faulted) => println!("ok    project {method} {name}: {faulted} fault(s)"),
            Err(why) => {
                println!("FAIL  project {method} {name}: {why}");
                failures.push(format!("{method} {name}: {why}"));
            }
        }
    }
    println!("{runs} project fault runs, {} failed", failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Personio's people with `email` (v2 persons): (id, preferred name) of each.
async fn persons_with_email(world: &World, email: &str) -> Vec<(String, Value)> {
    let page: Value = world
        .writer
        .client()
        .get("/v2/persons", &[("email", email.to_owned())])
        .await
        .unwrap();
    page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["preferred_name"].clone(),
            )
        })
        .collect()
}

fn hire(email: &str) -> Intent {
    Intent::CreateEmployee(
        bridge_sync::write::employee::NewEmployee::from_json(json!({
            "email": email, "first_name": "Chaos", "last_name": "Hire", "hire_date": "2027-03-01"
        }))
        .unwrap(),
    )
}

fn rename(id: &str, preferred: &str) -> Intent {
    let fields = json!({ "preferred_name": preferred });
    Intent::update_employee(id, fields.as_object().unwrap().clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employee_writes_under_every_fault_land_exactly_once() {
    let world = world().await;
    let mut failures = Vec::new();
    let mut runs = 0;
    for (slot, (method, (name, fault, after))) in ["POST", "PATCH"]
        .into_iter()
        .flat_map(|m| write_faults().into_iter().map(move |f| (m, f)))
        .enumerate()
    {
        runs += 1;
        let email = format!("chaos-{slot}@example.com");
        let key = |op: &str| format!("employee-{slot}-{op}");
        let outcome = async {
            if method == "PATCH" {
                until_done(&world.writer, &key("setup"), &hire(&email)).await?;
            }
            let rule = json!({"rules": [{"path_prefix": "/v1/company/employees", "method": method, "first": 1, "fault": fault, "after": after}]});
            plan_faults(&world.sandbox, rule).await;
            let expected = if method == "POST" {
                until_done(&world.writer, &key("create"), &hire(&email)).await?;
                Value::Null
            } else {
                let id = persons_with_email(&world, &email).await[0].0.clone();
                until_done(&world.writer, &key("update"), &rename(&id, "Renamed")).await?;
                json!("Renamed")
            };
            let faulted = faults_applied(&world.sandbox).await;
            clear_faults(&world.sandbox).await;
            let held = persons_with_email(&world, &email).await;
            if faulted == 0 {
                return Err("the fault never applied".to_owned());
            }
            match held.as_slice() {
                [(id, preferred)] if *preferred == expected || (expected.is_null() && preferred.as_str() == Some("")) => {
                    let stored = world
                        .target
                        .store
                        .browse(
                            world.target.company.id,
                            &bridge_store::tables::EMPLOYEES,
                            &RecordQuery {
                                keys: Some(vec![Key::Int(id.parse().unwrap())]),
                                limit: 1,
                                ..RecordQuery::default()
                            },
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    if stored.is_empty() {
                        return Err(format!("employee {id} is not stored"));
                    }
                    Ok::<u64, String>(faulted)
                }
                other => Err(format!("Personio holds {other:?}, expected one with {expected}")),
            }
        }
        .await;
        clear_faults(&world.sandbox).await;
        match outcome {
            Ok(faulted) => println!("ok    employee {method} {name}: {faulted} fault(s)"),
            Err(why) => {
                println!("FAIL  employee {method} {name}: {why}");
                failures.push(format!("{method} {name}: {why}"));
            }
        }
    }
    println!("{runs} employee fault runs, {} failed", failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A document upload of `title` for `person`, with its file at hand.
fn document(person: i64, category: i64, title: &str) -> Intent {
    let fields = [
        ("employee_id", person.to_string()),
        ("category_id", category.to_string()),
        ("title", title.to_owned()),
    ];
    let file = Some((
        "contract.pdf".to_owned(),
        bytes::Bytes::from(format!("%PDF-1.4 {title}")),
    ));
    Intent::UploadDocument(
        bridge_sync::write::document::NewDocument::from_form(
            |name| {
                fields
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            },
            file,
            &["employee_id", "category_id", "title", "file"],
        )
        .unwrap(),
    )
}

/// The company's first document category.
async fn a_category(world: &World) -> i64 {
    let categories: Value = world
        .writer
        .client()
        .get("/v1/company/document-categories", &[])
        .await
        .unwrap();
    categories["data"][0]["id"].as_i64().unwrap()
}

/// How many of `person`'s documents Personio holds named `title`.
async fn documents_titled(world: &World, person: i64, title: &str) -> usize {
    let page: Value = world
        .writer
        .client()
        .get(
            "/v2/document-management/documents",
            &[
                ("owner_id", person.to_string()),
                ("limit", "100".to_owned()),
            ],
        )
        .await
        .unwrap();
    page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"] == title)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_uploads_under_every_fault_land_exactly_once() {
    let world = world().await;
    let category = a_category(&world).await;
    let mut failures = Vec::new();
    let faults = write_faults();
    for (slot, (name, fault, after)) in faults.iter().enumerate() {
        let person = world.people[slot % world.people.len()];
        let title = format!("Chaos upload {slot}");
        let rule = json!({"rules": [{"path_prefix": "/v1/company/documents", "method": "POST", "first": 1, "fault": fault, "after": after}]});
        plan_faults(&world.sandbox, rule).await;
        let written = until_done(
            &world.writer,
            &format!("upload-{slot}"),
            &document(person, category, &title),
        )
        .await;
        let faulted = faults_applied(&world.sandbox).await;
        clear_faults(&world.sandbox).await;
        let held = documents_titled(&world, person, &title).await;
        let outcome = match (written, faulted, held) {
            (Err(why), _, _) => Err(why),
            (_, 0, _) => Err("the fault never applied".to_owned()),
            (Ok(_), faulted, 1) => Ok(faulted),
            (Ok(_), _, held) => Err(format!("Personio holds {held} uploads, not 1")),
        };
        match outcome {
            Ok(faulted) => println!("ok    upload {name}: {faulted} fault(s)"),
            Err(why) => {
                println!("FAIL  upload {name}: {why}");
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    println!(
        "{} upload fault runs, {} failed",
        faults.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A seeded plan on the employee and document endpoints, reads included.
fn people_mix(seed: u64) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let kinds = write_faults();
    let rules: Vec<Value> = (0..rng.random_range(2..=5))
        .map(|i| {
            let (_, fault, after) = &kinds[rng.random_range(0..kinds.len())];
            let (path, method) = [
                ("/v1/company/employees", "POST"),
                ("/v1/company/employees", "PATCH"),
                ("/v1/company/employees", "GET"),
                ("/v1/company/documents", "POST"),
                ("/v2/document-management/documents", "GET"),
            ][rng.random_range(0..5)];
            let most = if fault["kind"] == "delay" { 0.15 } else { 0.5 };
            json!({
                "path_prefix": path,
                "method": method,
                "probability": (rng.random_range(0.1..most) * 100.0_f64).round() / 100.0,
                "seed": seed.wrapping_mul(37).wrapping_add(i),
                "fault": fault,
                "after": after,
            })
        })
        .collect();
    json!({ "rules": rules })
}

/// Hires, renames and uploads under a seeded mix; Personio must hold each once.
async fn people_writes(seed: u64) -> Result<(u64, usize), String> {
    let world = world().await;
    let category = a_category(&world).await;
    let plan = people_mix(seed);
    plan_faults(&world.sandbox, plan.clone()).await;
    let mut writes = 0;
    for slot in 0..4 {
        let email = format!("mix-{seed}-{slot}@example.com");
        let id = until_done(&world.writer, &format!("hire-{slot}"), &hire(&email)).await?;
        writes += 1;
        if slot % 2 == 0 {
            until_done(
                &world.writer,
                &format!("rename-{slot}"),
                &rename(&id, "Mixed"),
            )
            .await?;
            writes += 1;
        }
        let person = world.people[slot % world.people.len()];
        let title = format!("Mix upload {seed}-{slot}");
        until_done(
            &world.writer,
            &format!("upload-{slot}"),
            &document(person, category, &title),
        )
        .await?;
        writes += 1;
    }
    let faulted = faults_applied(&world.sandbox).await;
    clear_faults(&world.sandbox).await;
    for slot in 0..4 {
        let email = format!("mix-{seed}-{slot}@example.com");
        let held = persons_with_email(&world, &email).await;
        let renamed = slot % 2 == 0;
        match held.as_slice() {
            [(_, preferred)] if !renamed || preferred == "Mixed" => {}
            other => return Err(format!("{email}: Personio holds {other:?}\nplan: {plan}")),
        }
        let person = world.people[slot % world.people.len()];
        let title = format!("Mix upload {seed}-{slot}");
        let held = documents_titled(&world, person, &title).await;
        if held != 1 {
            return Err(format!("{title}: Personio holds {held}\nplan: {plan}"));
        }
    }
    Ok((faulted, writes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employee_and_document_writes_under_seeded_fault_mixes_land_exactly_once() {
    let runs = env_number("CHAOS_WRITE_RUNS", 2);
    let first = env_number("CHAOS_SEED", 1);
    let mut failed = Vec::new();
    let (mut faults, mut writes) = (0, 0);
    for seed in first..first + runs {
        match people_writes(seed).await {
            Ok((f, w)) => {
                println!("ok    people seed {seed}: {w} writes, {f} faults");
                faults += f;
                writes += w;
            }
            Err(why) => {
                println!("FAIL  people seed {seed}: {why}");
                failed.push(seed);
            }
        }
    }
    println!("{runs} people mixes, {writes} writes, {faults} faults; failing seeds: {failed:?}");
    assert!(failed.is_empty(), "failing seeds: {failed:?}");
}

/// The world's writer with the recruiting token too.
fn recruiting_writer(world: &World) -> Writer {
    let mut config = personio_client::ClientConfig::new(
        url::Url::parse(&world.sandbox.base_url).unwrap(),
        bridge_testkit::CLIENT_ID,
        secrecy::SecretString::from(bridge_testkit::CLIENT_SECRET.to_owned()),
    );
    config.request_timeout = std::time::Duration::from_millis(1_500);
    config.backoff_base = std::time::Duration::from_millis(5);
    config.backoff_max = std::time::Duration::from_millis(50);
    config.rate_limit_wait = std::time::Duration::from_millis(20);
    config.recruiting = Some(personio_client::RecruitingAuth {
        token: secrecy::SecretString::from(bridge_testkit::RECRUITING_TOKEN.to_owned()),
        company_id: bridge_testkit::COMPANY_ID,
    });
    Writer::new(
        world.target.store.clone(),
        personio_client::Client::new(config).unwrap(),
        world.target.company.clone(),
    )
}

/// How many applications of `email` Personio holds (through the recruiting beta).
async fn applications_of(writer: &Writer, email: &str) -> usize {
    let page: Value = writer
        .client()
        .get(
            "/v2/recruiting/applications",
            &[("candidate.email", email.to_owned())],
        )
        .await
        .unwrap();
    page["_data"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_under_every_fault_land_exactly_once() {
    use bridge_sync::write::application::{ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, NewApplication};
    use bridge_sync::write::document::Attachment;
    let world = world().await;
    let writer = recruiting_writer(&world);
    let jobs: Value = writer
        .client()
        .get("/v2/recruiting/jobs", &[])
        .await
        .unwrap();
    let job: i64 = jobs["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| {
            j["status"].as_str().is_some_and(|s| {
                s.eq_ignore_ascii_case("published") || s.eq_ignore_ascii_case("active")
            })
        })
        .and_then(|j| j["id"].as_str()?.parse().ok())
        .expect("a published job");
    let mut failures = Vec::new();
    let mut runs = 0;
    // With an attachment the first request is its upload; without, the application itself.
    for (slot, (attached, (name, fault, after))) in [true, false]
        .into_iter()
        .flat_map(|a| write_faults().into_iter().map(move |f| (a, f)))
        .enumerate()
    {
        runs += 1;
        let email = format!("applicant-{slot}@example.com");
        let files = if attached {
            let cv = Attachment::new(
                "cv",
                "cv.pdf",
                bytes::Bytes::from_static(b"%PDF-1.4 cv"),
                ATTACHMENT_TYPES,
                MAX_ATTACHMENT_BYTES,
            )
            .unwrap();
            vec![("cv".to_owned(), cv)]
        } else {
            Vec::new()
        };
        let intent = Intent::CreateApplication(
            NewApplication::from_json(
                json!({"first_name": "Chaos", "last_name": "Applicant", "email": email, "job_id": job}),
                files,
            )
            .unwrap(),
        );
        let rule = json!({"rules": [{"path_prefix": "/v1/recruiting/applications", "method": "POST", "first": 1, "fault": fault, "after": after}]});
        plan_faults(&world.sandbox, rule).await;
        let written = until_done(&writer, &format!("apply-{slot}"), &intent).await;
        let faulted = faults_applied(&world.sandbox).await;
        clear_faults(&world.sandbox).await;
        let held = applications_of(&writer, &email).await;
        let outcome = match (written, faulted, held) {
            (Err(why), _, _) => Err(why),
            (_, 0, _) => Err("the fault never applied".to_owned()),
            (Ok(_), faulted, 1) => Ok(faulted),
            (Ok(_), _, held) => Err(format!("Personio holds {held} applications, not 1")),
        };
        let what = if attached { "with attachment" } else { "plain" };
        match outcome {
            Ok(faulted) => println!("ok    application {what} {name}: {faulted} fault(s)"),
            Err(why) => {
                println!("FAIL  application {what} {name}: {why}");
                failures.push(format!("{what} {name}: {why}"));
            }
        }
    }
    println!("{runs} application fault runs, {} failed", failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}
