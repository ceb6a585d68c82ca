//! Word pools for the generator: people's names by locale, job titles, company names.
//! Many names carry non-ASCII letters on purpose (Müller, Zoë, Łukasz, José), since real
//! HR data does and integrations must not mangle them.

pub(super) const COMPANY_NAMES: &[&str] = &[
    "Nordwind",
    "Lumenhaus",
    "Kestrel",
    "Fjordline",
    "Sonnenberg",
    "Aurora Works",
    "Helixa",
    "Bergquell",
    "Vela Systems",
    "Mosaik",
    "Brückner & Co",
    "Alba Logistics",
    "Tessera",
    "Quellwerk",
    "Ostwind Labs",
    "Marea",
];

/// Whether a first name is usually given to boys or girls; the generator mostly follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sex {
    M,
    F,
}

use Sex::{F, M};

/// First names by locale; each pool mixes in people from elsewhere, as teams do.
pub(super) const FIRST_NAMES_DE: &[(&str, Sex)] = &[
    ("Alexander", M),
    ("Anna", F),
    ("Jörg", M),
    ("Jürgen", M),
    ("Björn", M),
    ("Sören", M),
    ("Lena", F),
    ("Lukas", M),
    ("Maximilian", M),
    ("Sophie", F),
    ("Felix", M),
    ("Marie", F),
    ("Jonas", M),
    ("Hannah", F),
    ("Niklas", M),
    ("Lea", F),
    ("Tobias", M),
    ("Katharina", F),
    ("Moritz", M),
    ("Julia", F),
    ("Zoë", F),
    ("Mia", F),
    ("Paul", M),
    ("Clara", F),
    ("Ömer", M),
    ("Ayşe", F),
    ("Łukasz", M),
    ("Małgorzata", F),
    ("Dominik", M),
    ("Franziska", F),
    ("Matthias", M),
    ("Sebastian", M),
    ("Johanna", F),
    ("Frieda", F),
    ("Till", M),
    ("Carlotta", F),
    ("Ida", F),
    ("Emil", M),
    ("Mathilde", F),
    ("Anja", F),
    ("Kai", M),
    ("Nele", F),
    ("Ülkü", F),
    ("Renée", F),
    ("Søren", M),
    ("Günter", M),
];

pub(super) const LAST_NAMES_DE: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Köhler",
    "Weiß",
    "Jäger",
    "Groß",
    "Böhm",
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Yılmaz",
    "Öztürk",
    "Bergström",
    "Łukasiewicz",
];

pub(super) const FIRST_NAMES_ES: &[(&str, Sex)] = &[
    ("José", M),
    ("María", F),
    ("Lucía", F),
    ("Sofía", F),
    ("Martín", M),
    ("Hugo", M),
    ("Álvaro", M),
    ("Inés", F),
    ("Javier", M),
    ("Carmen", F),
    ("Andrés", M),
    ("Paula", F),
    ("Sergio", M),
    ("Marta", F),
    ("Raúl", M),
    ("Nuria", F),
    ("Adrián", M),
    ("Elena", F),
    ("Iñigo", M),
    ("Begoña", F),
    ("Jesús", M),
    ("Ángela", F),
    ("Rubén", M),
    ("Pilar", F),
    ("Óscar", M),
    ("Noelia", F),
    ("Joaquín", M),
    ("Ainhoa", F),
    ("Gonçalo", M),
    ("João", M),
    ("Zoë", F),
    ("Chloé", F),
];

pub(super) const LAST_NAMES_ES: &[&str] = &[
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Núñez",
    "Castaño",
    "Peña",
    "Ibáñez",
    "Sáez",
    "Conceição",
];

pub(super) const FIRST_NAMES_GB: &[(&str, Sex)] = &[
    ("Oliver", M),
    ("Amelia", F),
    ("George", M),
    ("Isla", F),
    ("Harry", M),
    ("Ava", F),
    ("Jack", M),
    ("Emily", F),
    ("Charlie", M),
    ("Grace", F),
    ("Thomas", M),
    ("Freya", F),
    ("James", M),
    ("Poppy", F),
    ("William", M),
    ("Sophia", F),
    ("Noah", M),
    ("Chloë", F),
    ("Zoë", F),
    ("Siobhán", F),
    ("Seán", M),
    ("Aoife", F),
    ("Niamh", F),
    ("Ciarán", M),
    ("Priya", F),
    ("Arjun", M),
    ("Łukasz", M),
    ("Agnieszka", F),
    ("José", M),
    ("Renée", F),
];

pub(super) const LAST_NAMES_GB: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "O'Brien",
    "O'Connor",
    "Ó Súilleabháin",
    "Patel",
    "Khan",
    "Nowak",
    "Brontë",
    "Zieliński",
];

/// A friendlier short form for some first names (`preferred_name`).
pub(super) fn nickname(first_name: &str) -> Option<&'static str> {
    Some(match first_name {
        "Alexander" => "Alex",
        "Maximilian" => "Max",
        "Katharina" => "Kathi",
        "Franziska" => "Franzi",
        "Sebastian" => "Basti",
        "Matthias" => "Matze",
        "Johanna" => "Jo",
        "Javier" => "Javi",
        "José" => "Pepe",
        "Jesús" => "Chuy",
        "William" => "Will",
        "Thomas" => "Tom",
        "James" => "Jim",
        "Charlie" => "Charlie",
        "Małgorzata" => "Gosia",
        "Łukasz" => "Łukasz",
        _ => return None,
    })
}

/// Job titles by department name: (individual contributor titles, lead title).
pub(super) fn titles(department: &str) -> (&'static [&'static str], &'static str) {
    match department {
        "Management" => (
            &[
                "Chief Operating Officer",
                "Chief Financial Officer",
                "Executive Assistant",
            ],
            "Chief Executive Officer",
        ),
        "Engineering" => (
            &[
                "Software Engineer",
                "Senior Software Engineer",
                "Staff Engineer",
                "Backend Engineer",
                "Frontend Engineer",
                "Site Reliability Engineer",
                "QA Engineer",
            ],
            "VP Engineering",
        ),
        "Product" => (
            &["Product Manager", "Senior Product Manager", "Product Owner"],
            "Head of Product",
        ),
        "Design" => (
            &["Product Designer", "UX Researcher", "Brand Designer"],
            "Head of Design",
        ),
        "Data" => (
            &["Data Analyst", "Data Engineer", "Data Scientist"],
            "Head of Data",
        ),
        "Sales" => (
            &[
                "Account Executive",
                "Sales Development Representative",
                "Solutions Engineer",
            ],
            "VP Sales",
        ),
        "Marketing" => (
            &[
                "Marketing Manager",
                "Content Writer",
                "Performance Marketer",
            ],
            "Head of Marketing",
        ),
        "Customer Success" => (
            &[
                "Customer Success Manager",
                "Support Specialist",
                "Onboarding Manager",
            ],
            "Head of Customer Success",
        ),
        "Finance" => (
            &["Accountant", "Financial Controller", "Payroll Specialist"],
            "Head of Finance",
        ),
        "People & Culture" => (
            &[
                "People Partner",
                "Recruiter",
                "People Operations Specialist",
            ],
            "Head of People",
        ),
        "Legal" => (&["Legal Counsel", "Paralegal"], "General Counsel"),
        "Workplace" => (
            &[
                "Office Manager",
                "Facility Coordinator",
                "IT Support Specialist",
            ],
            "Head of Workplace",
        ),
        _ => (&["Specialist"], "Lead"),
    }
}

pub(super) const TERMINATION_REASONS: &[(&str, &str)] = &[
    ("employee", "Resigned for a new opportunity"),
    ("employee", "Relocation"),
    ("employee", "Career change"),
    ("employer", "Performance"),
    ("employer", "Restructuring"),
    ("contract_expired", "Fixed-term contract ended"),
    ("mutual_agreement", "Mutual agreement"),
    ("retirement", "Retirement"),
];

/// Folds a name into the ASCII an email address usually gets (`Müller` → `mueller`).
pub(super) fn ascii_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'æ' | 'Æ' => out.push_str("ae"),
            'á' | 'à' | 'â' | 'ã' | 'å' | 'ą' | 'Á' | 'À' | 'Â' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' | 'ę' | 'É' | 'È' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' | 'ı' | 'Í' | 'İ' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' | 'Ó' | 'Ò' => out.push('o'),
            'ú' | 'ù' | 'û' | 'Ú' => out.push('u'),
            'ñ' | 'Ñ' | 'ń' => out.push('n'),
            'ç' | 'Ç' | 'ć' => out.push('c'),
            'ś' | 'Ś' | 'ş' | 'Ş' => out.push('s'),
            'ź' | 'ż' | 'Ź' | 'Ż' => out.push('z'),
            'ğ' => out.push('g'),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_names_readable() {
        assert_eq!(ascii_fold("Müller"), "mueller");
        assert_eq!(ascii_fold("Łukasz"), "lukasz");
        assert_eq!(ascii_fold("O'Brien"), "obrien");
        assert_eq!(ascii_fold("Ó Súilleabháin"), "osuilleabhain");
    }
}
