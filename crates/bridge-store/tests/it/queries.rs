//! The plans of the API's narrowed pages: the day range and the employee filter read
//! through indexes, not the whole table.

use bridge_store::tables::{ATTENDANCE_PERIODS, EMPLOYEES};
use bridge_store::{FilterValues, Filters, NewCompany, PageQuery, Value, filters_of};
use bridge_testkit::{Backend, TestDb};
use chrono::NaiveDate;
use secrecy::SecretString;

use crate::{at, open};

async fn date_range_and_employee_pages_use_indexes(db: TestDb) {
    let store = open(&db).await;
    let company = store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: "https://api.personio.de".into(),
                client_id: "papi-client".into(),
                client_secret: SecretString::from("secret".to_owned()),
                recruiting: None,
                filters: Filters::default(),
                granted: serde_json::json!({}),
            },
            at(1),
        )
        .await
        .unwrap();
    let employee = filters_of(&ATTENDANCE_PERIODS)
        .into_iter()
        .find(|f| f.name == "employee_id")
        .unwrap();
    let month = PageQuery {
        limit: 101,
        from: NaiveDate::from_ymd_opt(2026, 10, 1),
        to: NaiveDate::from_ymd_opt(2026, 10, 31),
        ..PageQuery::default()
    };
    let person = PageQuery {
        limit: 101,
        filters: vec![FilterValues {
            filter: employee,
            values: vec![Value::Int(7)],
        }],
        ..PageQuery::default()
    };
    let day = PageQuery {
        limit: 101,
        from: NaiveDate::from_ymd_opt(2026, 10, 1),
        to: NaiveDate::from_ymd_opt(2026, 10, 1),
        ..PageQuery::default()
    };
    for (name, query) in [("month", &month), ("day", &day), ("employee", &person)] {
        let plan = store
            .json_page_plan(company.id, &ATTENDANCE_PERIODS, query)
            .await
            .unwrap();
        println!("{:?} {name}:\n  {}", db.backend, plan.join("\n  "));
        assert!(!plan.is_empty());
        // PostgreSQL plans by its statistics (an empty table is read whole); SQLite plans by
        // the shape of the statement, so its choice here is the one a full store gets.
        if db.backend == Backend::Sqlite {
            let main = plan
                .iter()
                .find(|line| line.contains("attendance_periods") || line.contains(" t "))
                .unwrap();
            assert!(
                main.contains("USING INDEX") || main.contains("USING COVERING INDEX"),
                "{name}: {plan:?}"
            );
            let index = match name {
                // A month walks the key index that holds the start too, skipping other days
                // in the index, and stops after a page; a day reads the start index; a person
                // comes in key order from their own index.
                "month" => "attendance_periods_key_start",
                "day" => "attendance_periods_start",
                _ => "attendance_periods_employee_key",
            };
            assert!(main.contains(index), "{name}: {plan:?}");
            let sorted = plan.iter().any(|line| line.contains("TEMP B-TREE"));
            assert_eq!(sorted, name == "day", "{name}: {plan:?}");
        }
    }
}

/// Each person of an employees page brings their employments and cost center splits from
/// their own rows of the `(company_id, employee_id, id)` indexes, not by walking the
/// company's (a page of 100 people read every employment 100 times).
async fn employee_pages_read_each_persons_children_only(db: TestDb) {
    let store = open(&db).await;
    let company = store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: "https://api.personio.de".into(),
                client_id: "papi-client".into(),
                client_secret: SecretString::from("secret".to_owned()),
                recruiting: None,
                filters: Filters::default(),
                granted: serde_json::json!({}),
            },
            at(1),
        )
        .await
        .unwrap();
    let page = PageQuery {
        limit: 101,
        ..PageQuery::default()
    };
    let plan = store
        .json_page_plan(company.id, &EMPLOYEES, &page)
        .await
        .unwrap();
    println!("{:?} employees:\n  {}", db.backend, plan.join("\n  "));
    if db.backend == Backend::Sqlite {
        for (child, index) in [
            ("employments", "employments_employee_key"),
            (
                "employee_cost_centers",
                "employee_cost_centers_employee_key",
            ),
        ] {
            let line = plan
                .iter()
                .find(|line| line.contains("SEARCH x") && line.contains(child))
                .unwrap_or_else(|| panic!("{child}: {plan:?}"));
            assert!(
                line.contains(&format!("{index} (company_id=? AND employee_id=?)")),
                "{child}: {plan:?}"
            );
        }
        // Only each person's own rows are sorted (inside their `json_group_array`).
        assert!(
            !plan
                .iter()
                .any(|line| line.contains("TEMP B-TREE") && !line.contains("json_group_array")),
            "{plan:?}"
        );
    }
}

bridge_testkit::each_backend!(
    date_range_and_employee_pages_use_indexes,
    employee_pages_read_each_persons_children_only
);
