//! The career site's XML job feed: `<workzag-jobs>` with one `<position>` per published
//! job (personio-api.md §4.1). Job descriptions are in the requested language where we have
//! text for it (German, English, Spanish), else in English.

use std::fmt::Write;

use personio_api::recruiting::feed;

use crate::company::{Company, Job, JobStatus};

/// Section headings and texts of a job ad, per language.
fn descriptions(job: &Job, department: &str, language: &str) -> [(String, String); 3] {
    let title = xml_text(&job.name);
    match language {
        "de" => [
            (
                "Deine Aufgaben".into(),
                format!("<p>Als {title} gestaltest du unseren Bereich {department} mit.</p>"),
            ),
            (
                "Dein Profil".into(),
                format!("<ul><li>Erfahrung: {} Jahre</li><li>Stichworte: {}</li></ul>", job.years_of_experience, xml_text(&job.keywords)),
            ),
            (
                "Warum wir".into(),
                "<p>Flexible Arbeitszeiten, Weiterbildungsbudget und ein Team, das sich freut, dich kennenzulernen.</p>".into(),
            ),
        ],
        "es" => [
            (
                "Tus funciones".into(),
                format!("<p>Como {title} darás forma a nuestro equipo de {department}.</p>"),
            ),
            (
                "Tu perfil".into(),
                format!("<ul><li>Experiencia: {} años</li><li>Palabras clave: {}</li></ul>", job.years_of_experience, xml_text(&job.keywords)),
            ),
            (
                "Por qué nosotros".into(),
                "<p>Horario flexible, presupuesto de formación y un equipo con ganas de conocerte.</p>".into(),
            ),
        ],
        _ => [
            (
                "Your role".into(),
                format!("<p>As {title} you shape our {department} team.</p>"),
            ),
            (
                "Your profile".into(),
                format!("<ul><li>Experience: {} years</li><li>Keywords: {}</li></ul>", job.years_of_experience, xml_text(&job.keywords)),
            ),
            (
                "Why us".into(),
                "<p>Flexible hours, a learning budget and a team looking forward to meeting you.</p>".into(),
            ),
        ],
    }
}

/// The feed for `language` (one of [`feed::LANGUAGES`]).
pub(crate) fn render(company: &Company, language: &str) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<{}>", feed::ROOT);
    for job in company
        .recruiting
        .jobs
        .iter()
        .filter(|j| j.status == JobStatus::Published)
    {
        let entity = company.legal_entity(job.legal_entity_id);
        let office = job.office_id.and_then(|id| company.office(id));
        let department = job
            .department_id
            .and_then(|id| company.org_unit(id))
            .map_or("", |d| d.name.as_str());
        let category = company.job_category(job.category_id).map_or("", |c| c.name);
        let _ = writeln!(out, "  <{}>", feed::POSITION);
        let field = |out: &mut String, name: &str, value: &str| {
            let _ = writeln!(out, "    <{name}>{}</{name}>", xml_text(value));
        };
        field(&mut out, "id", &job.id.to_string());
        field(
            &mut out,
            "subcompany",
            entity.map_or("", |e| e.name.as_str()),
        );
        field(&mut out, "office", office.map_or("", |o| o.name));
        field(&mut out, "department", department);
        field(&mut out, "recruitingCategory", category);
        field(&mut out, "name", &job.name);
        out.push_str("    <jobDescriptions>\n");
        for (name, html) in descriptions(job, &xml_text(department), language) {
            let _ = writeln!(
                out,
                "      <jobDescription>\n        <name>{}</name>\n        <value><![CDATA[{}]]></value>\n      </jobDescription>",
                xml_text(&name),
                html.replace("]]>", "]]]]><![CDATA[>")
            );
        }
        out.push_str("    </jobDescriptions>\n");
        field(&mut out, "employmentType", job.employment_type);
        field(&mut out, "seniority", job.seniority);
        field(&mut out, "schedule", job.schedule);
        field(&mut out, "yearsOfExperience", job.years_of_experience);
        field(&mut out, "keywords", &job.keywords);
        field(&mut out, "occupation", job.occupation);
        field(&mut out, "occupationCategory", job.occupation_category);
        // `2016-05-31T12:14:07+0200`: local time, offset without a colon.
        let created = job
            .created_at
            .with_timezone(&company.timezone)
            .format("%Y-%m-%dT%H:%M:%S%z")
            .to_string();
        field(&mut out, "createdAt", &created);
        let _ = writeln!(out, "  </{}>", feed::POSITION);
    }
    let _ = writeln!(out, "</{}>", feed::ROOT);
    out
}

/// Text escaped for XML element content and attribute values.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
