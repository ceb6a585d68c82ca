//! Every word of the link page, in English and in German (Personio's home market).
//!
//! Personio's German labels for the areas Employees, Attendances, Absences, Documents and
//! Compensations are as personio-api.md §1.7 records them (medium confidence); the menu path
//! and the other labels are our translation, so the German steps also give the English label
//! where a person may have to search for it.

/// The page's language: from `?lang=`, else `Accept-Language`, else English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    De,
}

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    pub(crate) fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The first of English and German an `Accept-Language` header prefers (by weight, then
    /// by order), or English.
    pub(crate) fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (index, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let primary = tag.split('-').next().unwrap_or_default();
            let Some(lang) = Lang::parse(primary) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight <= 0.0 {
                continue;
            }
            if best.is_none_or(|(w, i, _)| weight > w || (weight == w && index < i)) {
                best = Some((weight, index, lang));
            }
        }
        best.map(|(_, _, lang)| lang).unwrap_or(Lang::En)
    }

    /// The other language, for the switch.
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::En => Lang::De,
            Lang::De => Lang::En,
        }
    }

    /// The language's own name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    pub(crate) fn title(self, name: &str) -> String {
        match self {
            Lang::En => format!("Link {name} to Personio"),
            Lang::De => format!("{name} mit Personio verbinden"),
        }
    }

    pub(crate) fn intro(self) -> &'static str {
        match self {
            Lang::En => {
                "This page gives access to your company's Personio data through an API credential that you create and can revoke at any time. It takes a few minutes, as a Personio admin."
            }
            Lang::De => {
                "Über diese Seite geben Sie Zugriff auf die Personio-Daten Ihres Unternehmens, mit API-Zugangsdaten, die Sie selbst anlegen und jederzeit widerrufen können. Sie brauchen dafür einige Minuten und Admin-Rechte in Personio."
            }
        }
    }

    pub(crate) fn in_personio(self) -> &'static str {
        match self {
            Lang::En => "In Personio",
            Lang::De => "In Personio",
        }
    }

    pub(crate) fn step_create(self) -> &'static str {
        match self {
            Lang::En => {
                "Open Settings > Integrations > API credentials and choose Create custom integration. Give it a name you will recognise."
            }
            Lang::De => {
                "Öffnen Sie Einstellungen > Integrationen > API-Zugangsdaten (Settings > Integrations > API credentials) und wählen Sie „Benutzerdefinierte Integration erstellen“ (Create custom integration). Geben Sie ihr einen Namen, den Sie wiedererkennen."
            }
        }
    }

    pub(crate) fn step_areas(self) -> &'static str {
        match self {
            Lang::En => "Set these access areas:",
            Lang::De => "Stellen Sie diese Zugriffsbereiche ein:",
        }
    }

    pub(crate) fn step_attributes(self) -> &'static str {
        match self {
            Lang::En => "Under Readable employee attributes, tick:",
            Lang::De => {
                "Wählen Sie unter „Lesbare Mitarbeiterattribute“ (Readable employee attributes) aus:"
            }
        }
    }

    pub(crate) fn step_recruiting(self) -> &'static str {
        match self {
            Lang::En => {
                "On the same screen Personio shows the Recruiting API access token and your company ID: copy both into the form below."
            }
            Lang::De => {
                "Auf derselben Seite zeigt Personio das Recruiting-API-Zugriffstoken (Recruiting API access token) und Ihre Unternehmens-ID (company ID): Kopieren Sie beide in das Formular unten."
            }
        }
    }

    pub(crate) fn step_save(self) -> &'static str {
        match self {
            Lang::En => {
                "Save. Personio shows the client ID and the client secret, the secret only once: copy both into the form below."
            }
            Lang::De => {
                "Speichern Sie. Personio zeigt die Client-ID und das Client-Secret an, das Secret nur einmal: Kopieren Sie beide in das Formular unten."
            }
        }
    }

    pub(crate) fn read(self) -> &'static str {
        match self {
            Lang::En => "Read",
            Lang::De => "Lesen",
        }
    }

    pub(crate) fn read_write(self) -> &'static str {
        match self {
            Lang::En => "Read and write",
            Lang::De => "Lesen und Schreiben",
        }
    }

    pub(crate) fn area_column(self) -> &'static str {
        match self {
            Lang::En => "Area",
            Lang::De => "Bereich",
        }
    }

    pub(crate) fn access_column(self) -> &'static str {
        match self {
            Lang::En => "Access",
            Lang::De => "Zugriff",
        }
    }

    /// Personio's label of an access area (the doctor's English name).
    pub(crate) fn area(self, area: &str) -> String {
        let german = match area {
            "Employees" => "Mitarbeitende",
            "Attendances" => "Anwesenheiten",
            "Absences" => "Abwesenheit",
            "Documents" => "Dokumente",
            "Compensations" => "Vergütungen",
            "Org Units" => "Organisationseinheiten",
            "Projects" => "Projekte",
            other => other,
        };
        match self {
            Lang::En => area.to_owned(),
            Lang::De if german == area => area.to_owned(),
            Lang::De => format!("{german} ({area})"),
        }
    }

    pub(crate) fn client_id(self) -> &'static str {
        match self {
            Lang::En => "Client ID",
            Lang::De => "Client-ID",
        }
    }

    pub(crate) fn client_secret(self) -> &'static str {
        match self {
            Lang::En => "Client secret",
            Lang::De => "Client-Secret",
        }
    }

    pub(crate) fn recruiting_token(self) -> &'static str {
        match self {
            Lang::En => "Recruiting API access token",
            Lang::De => "Recruiting-API-Zugriffstoken",
        }
    }

    pub(crate) fn company_id(self) -> &'static str {
        match self {
            Lang::En => "Company ID",
            Lang::De => "Unternehmens-ID",
        }
    }

    pub(crate) fn submit(self) -> &'static str {
        match self {
            Lang::En => "Link Personio",
            Lang::De => "Personio verbinden",
        }
    }

    pub(crate) fn secret_hint(self) -> &'static str {
        match self {
            Lang::En => {
                "The secret goes straight to Personio to be checked and is stored only encrypted."
            }
            Lang::De => {
                "Das Secret wird direkt bei Personio geprüft und nur verschlüsselt gespeichert."
            }
        }
    }

    pub(crate) fn missing(self, field: &str) -> String {
        match self {
            Lang::En => format!("Enter the {field}."),
            Lang::De => format!("Bitte geben Sie {field} ein."),
        }
    }

    pub(crate) fn bad_company_id(self) -> &'static str {
        match self {
            Lang::En => {
                "The company ID is a number; Personio shows it beside the recruiting access token."
            }
            Lang::De => {
                "Die Unternehmens-ID ist eine Zahl; Personio zeigt sie neben dem Recruiting-Zugriffstoken."
            }
        }
    }

    pub(crate) fn wrong_secret(self) -> &'static str {
        match self {
            Lang::En => {
                "Personio did not accept this client ID and secret. Copy both again from Personio (Settings > Integrations > API credentials); if the secret was regenerated, only the new one works."
            }
            Lang::De => {
                "Personio hat diese Client-ID und dieses Secret nicht angenommen. Kopieren Sie beide erneut aus Personio (Einstellungen > Integrationen > API-Zugangsdaten); wurde das Secret neu erzeugt, gilt nur das neue."
            }
        }
    }

    pub(crate) fn unreachable(self) -> &'static str {
        match self {
            Lang::En => {
                "Personio could not be reached just now. Nothing was stored; please try again in a minute."
            }
            Lang::De => {
                "Personio war gerade nicht erreichbar. Es wurde nichts gespeichert; bitte versuchen Sie es in einer Minute erneut."
            }
        }
    }

    pub(crate) fn recruiting_refused(self) -> &'static str {
        match self {
            Lang::En => {
                "Personio refused the recruiting access token or the company ID. Copy both again from Settings > Integrations > API credentials."
            }
            Lang::De => {
                "Personio hat das Recruiting-Zugriffstoken oder die Unternehmens-ID abgelehnt. Kopieren Sie beide erneut aus Einstellungen > Integrationen > API-Zugangsdaten."
            }
        }
    }

    pub(crate) fn failed(self) -> &'static str {
        match self {
            Lang::En => {
                "Personio answered in a way we did not expect. Nothing was stored; please try again, and if it happens again, contact the company that sent you this link."
            }
            Lang::De => {
                "Personio hat unerwartet geantwortet. Es wurde nichts gespeichert; bitte versuchen Sie es erneut und wenden Sie sich sonst an das Unternehmen, das Ihnen diesen Link geschickt hat."
            }
        }
    }

    pub(crate) fn gaps_heading(self) -> &'static str {
        match self {
            Lang::En => {
                "This credential works, but cannot read everything needed yet. Nothing was stored. In Personio, edit the integration:"
            }
            Lang::De => {
                "Diese Zugangsdaten funktionieren, reichen aber noch nicht aus. Es wurde nichts gespeichert. Bearbeiten Sie die Integration in Personio:"
            }
        }
    }

    pub(crate) fn gap_area(self, area: &str, write: bool) -> String {
        let level = if write {
            self.read_write()
        } else {
            self.read()
        };
        let area = self.area(area);
        match self {
            Lang::En => format!("Set the area “{area}” to “{level}”."),
            Lang::De => format!("Stellen Sie den Bereich „{area}“ auf „{level}“."),
        }
    }

    pub(crate) fn gap_attribute(self, label: &str) -> String {
        match self {
            Lang::En => format!("Tick “{label}” under Readable employee attributes."),
            Lang::De => format!("Wählen Sie „{label}“ unter „Lesbare Mitarbeiterattribute“ aus."),
        }
    }

    pub(crate) fn gaps_then(self) -> &'static str {
        match self {
            Lang::En => {
                "Then enter the secret again and submit: the client ID and secret stay the same."
            }
            Lang::De => {
                "Geben Sie danach das Secret erneut ein und senden Sie das Formular ab: Client-ID und Secret bleiben gleich."
            }
        }
    }

    pub(crate) fn used(self) -> (&'static str, &'static str) {
        match self {
            Lang::En => (
                "This link was used",
                "Personio is linked through this link already. If you need to link again, ask for a new link.",
            ),
            Lang::De => (
                "Dieser Link wurde schon verwendet",
                "Personio wurde über diesen Link bereits verbunden. Wenn Sie erneut verbinden müssen, fordern Sie einen neuen Link an.",
            ),
        }
    }

    pub(crate) fn expired(self) -> (&'static str, &'static str) {
        match self {
            Lang::En => (
                "This link has expired",
                "Links are valid for a limited time. Ask the company that sent it for a new link.",
            ),
            Lang::De => (
                "Dieser Link ist abgelaufen",
                "Links sind nur begrenzte Zeit gültig. Bitten Sie das Unternehmen, das ihn geschickt hat, um einen neuen Link.",
            ),
        }
    }

    pub(crate) fn unknown(self) -> (&'static str, &'static str) {
        match self {
            Lang::En => (
                "No such link",
                "There is no link at this address. Check that you copied the whole address.",
            ),
            Lang::De => (
                "Unbekannter Link",
                "Unter dieser Adresse gibt es keinen Link. Prüfen Sie, ob Sie die ganze Adresse kopiert haben.",
            ),
        }
    }

    pub(crate) fn too_many(self) -> (&'static str, &'static str) {
        match self {
            Lang::En => (
                "Too many attempts",
                "This link was submitted unsuccessfully too often and is locked. Ask the company that sent it for a new link.",
            ),
            Lang::De => (
                "Zu viele Versuche",
                "Über diesen Link wurde zu oft erfolglos gesendet; er ist gesperrt. Bitten Sie das Unternehmen, das ihn geschickt hat, um einen neuen Link.",
            ),
        }
    }

    pub(crate) fn form_expired(self) -> (&'static str, &'static str) {
        match self {
            Lang::En => (
                "The form has expired",
                "Open the link again and submit the form once more.",
            ),
            Lang::De => (
                "Das Formular ist abgelaufen",
                "Öffnen Sie den Link erneut und senden Sie das Formular noch einmal ab.",
            ),
        }
    }
}

/// Personio's German label of an employee attribute the sync reads, where it differs (our
/// translation; the English label and key are shown beside it).
pub(crate) fn attribute_de(key: &str) -> Option<&'static str> {
    Some(match key {
        "first_name" => "Vorname",
        "last_name" => "Nachname",
        "preferred_name" => "Rufname",
        "email" => "E-Mail",
        "gender" => "Geschlecht",
        "supervisor" => "Vorgesetzte:r",
        "employment_type" => "Beschäftigungsart",
        "weekly_working_hours" => "Wochenstunden",
        "hire_date" => "Eintrittsdatum",
        "contract_end_date" => "Vertragsende",
        "termination_date" => "Kündigungsdatum",
        "termination_type" => "Kündigungsart",
        "termination_reason" => "Kündigungsgrund",
        "probation_period_end" => "Ende der Probezeit",
        "last_working_day" => "Letzter Arbeitstag",
        "last_modified_at" => "Zuletzt geändert",
        "subcompany" => "Gesellschaft",
        "office" => "Standort",
        "department" => "Abteilung",
        "cost_centers" => "Kostenstelle",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn accept_language_picks_the_preferred_of_english_and_german() {
        assert_eq!(
            Lang::from_accept_language("de-DE,de;q=0.9,en;q=0.8"),
            Lang::De
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR,en;q=0.5,de;q=0.4"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("fr, de;q=0.1"), Lang::De);
        assert_eq!(Lang::from_accept_language("en;q=0, de;q=0"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language(";;,,q=x"), Lang::En);
    }
}
