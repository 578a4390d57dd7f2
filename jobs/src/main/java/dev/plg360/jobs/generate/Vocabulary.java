package dev.plg360.jobs.generate;

import java.util.List;

/** The fixed word lists the synthetic world is made of: names, companies, industries, product vocabulary. */
final class Vocabulary {
  private Vocabulary() {}

  static final List<String> FIRST_NAMES = List.of("Ana", "Ben", "Chloe", "David", "Elena", "Farah", "George", "Hana",
      "Ivan", "Julia", "Kenji", "Laura", "Mateo", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sam", "Tara", "Umar",
      "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Liam", "Emma", "Noah", "Olivia", "Lucas", "Mia", "Jonas", "Sofia",
      "Arjun", "Leila", "Tom", "Ines", "Marek", "Aiko");
  static final List<String> LAST_NAMES = List.of("Ruiz", "Smith", "Müller", "Chen", "Okafor", "Rossi", "Kowalski",
      "Nguyen", "Schmidt", "Garcia", "Brown", "Tanaka", "Dubois", "Silva", "Patel", "O'Brien", "Jensen", "Novak",
      "Khan", "Lopez", "Wagner", "Kim", "Martin", "Costa", "Fischer", "Singh", "Ivanova", "Murphy", "Haddad", "Berg");
  static final List<String> TITLES = List.of("Software Engineer", "Senior Engineer", "Engineering Manager",
      "Product Manager", "Designer", "Head of Growth", "Marketing Manager", "Data Analyst", "CTO", "VP Engineering",
      "Founder", "Operations Lead", "Customer Success Manager", "Sales Manager", "Support Engineer");

  // Company names: prefix x core x suffix gives 131,072 distinct names before a number is needed.
  static final List<String> NAME_PREFIXES = List.of("blue", "bright", "north", "swift", "clear", "red", "silver",
      "green", "deep", "open", "true", "quick", "bold", "next", "prime", "solid", "urban", "happy", "iron", "lucky",
      "smart", "tiny", "grand", "wild", "sun", "star", "cloud", "rock", "pine", "oak", "river", "stone", "polar", "alpha",
      "nova", "zen", "echo", "terra", "hyper", "meta", "omni", "vivid", "lunar", "solar", "astro", "pixel", "quantum",
      "rapid", "fresh", "clever", "magic", "noble", "royal", "cosmic", "crystal", "golden", "hidden", "inner", "kind",
      "little", "mighty", "modern", "plain", "sharp");
  static final List<String> NAME_CORES = List.of("falcon", "harbor", "forge", "leaf", "path", "wave", "peak", "bridge",
      "spark", "field", "loop", "stack", "orbit", "grid", "nest", "hive", "craft", "works", "lab", "flow", "point",
      "yard", "line", "gate", "mint", "byte", "core", "base", "dock", "shift", "scale", "mark", "signal", "vault",
      "pulse", "trail", "anchor", "beacon", "canvas", "ledger", "market", "motion", "north", "office", "pilot", "quill",
      "ridge", "sail", "tide", "union", "vector", "wing", "zone", "atlas", "bloom", "cargo", "delta", "ember", "fable",
      "glade", "haven", "ink", "jet", "kite");
  static final List<String> NAME_SUFFIXES = List.of("", "hq", "labs", "ly", "ify", "io", "app", "data", "ai", "soft",
      "tech", "cloud", "go", "hub", "box", "now", "pay", "ops", "dev", "net", "works", "one", "co", "group", "digital",
      "systems", "studio", "health", "learn", "logistics", "media", "energy");

  /** Company TLDs, with the country they imply (null: any). */
  static final List<String[]> TLDS = List.of(new String[] {".com", null}, new String[] {".io", null},
      new String[] {".co.uk", "GB"}, new String[] {".com.au", "AU"}, new String[] {".de", "DE"});
  static final double[] TLD_WEIGHTS = {0.45, 0.25, 0.12, 0.08, 0.10};

  static final List<String[]> COUNTRIES = List.of(new String[] {"United States", "US"}, new String[] {"United Kingdom", "GB"},
      new String[] {"Germany", "DE"}, new String[] {"Australia", "AU"}, new String[] {"France", "FR"},
      new String[] {"Canada", "CA"}, new String[] {"Netherlands", "NL"}, new String[] {"India", "IN"},
      new String[] {"Brazil", "BR"}, new String[] {"Spain", "ES"});
  static final double[] COUNTRY_WEIGHTS = {0.42, 0.1, 0.08, 0.05, 0.07, 0.07, 0.05, 0.08, 0.04, 0.04};

  /** Clearbit industries with their sector and the engineering share of headcount typical for them. */
  static final List<String[]> INDUSTRIES = List.of(
      new String[] {"Software", "Information Technology", "0.40"},
      new String[] {"Internet Software & Services", "Information Technology", "0.35"},
      new String[] {"Banking", "Financials", "0.12"},
      new String[] {"Insurance", "Financials", "0.10"},
      new String[] {"Retail", "Consumer Discretionary", "0.05"},
      new String[] {"Media", "Consumer Discretionary", "0.10"},
      new String[] {"Health Care Providers", "Health Care", "0.06"},
      new String[] {"Education Services", "Consumer Discretionary", "0.08"});
  static final double[] INDUSTRY_WEIGHTS = {0.3, 0.2, 0.08, 0.06, 0.1, 0.1, 0.08, 0.08};

  static final List<String> TECH = List.of("slack", "salesforce", "hubspot", "google_apps", "aws", "github", "jira",
      "zendesk", "stripe", "segment", "intercom", "snowflake");

  static final List<String> FREE_MAIL = List.of("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com",
      "proton.me", "gmx.de", "yahoo.co.uk");
  static final List<String> EMAIL_SUBDOMAINS = List.of("eu", "us", "uk", "mail", "corp");

  /** The product's features (properties.feature of "Feature Used"). */
  static final List<String> FEATURES = List.of("dashboards", "reports", "alerts", "api_keys", "sso", "exports",
      "automations", "comments", "templates", "permissions");
  static final List<String> INTEGRATIONS = List.of("slack", "github", "jira", "salesforce", "hubspot", "google_drive",
      "zapier");
  static final List<String> USER_AGENTS = List.of(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36",
      "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0");

  static final List<String> SALES_REPS = List.of("0055g00000Rep01AAA", "0055g00000Rep02AAA", "0055g00000Rep03AAA",
      "0055g00000Rep04AAA", "0055g00000Rep05AAA", "0055g00000Rep06AAA");
  static final List<String> MARKETING_LEAD_SOURCES = List.of("Demo Request", "Webinar", "Content Download");
  static final List<String> TICKET_SUBJECTS = List.of("Cannot connect Slack", "How do I export a report?",
      "SSO setup question", "Billing: invoice copy", "API rate limit reached", "Dashboard not loading",
      "Invite email not received", "Feature request: dark mode, \"compact\" view");
  static final List<String> TICKET_TAGS = List.of("integrations", "billing", "api", "onboarding", "bug", "sso",
      "feature_request");

  /** Junk leads typed into web forms: first name, last name, email, company. */
  static final List<String[]> JUNK_LEADS = List.of(
      new String[] {"Batman", "Robin", "batman@gotham.com", "Wayne Enterprises"},
      new String[] {"Test", "Test", "test@test.com", "Test"},
      new String[] {"asdf", "asdf", "asdf@asdf.com", "asdf"},
      new String[] {"qwerty", "uiop", "qwerty@example.com", "qwertz"},
      new String[] {"Mickey", "Mouse", "mickey@disney.com", "Disney"},
      new String[] {"jkljkl", "sdfsdf", "jkl@jkl.jkl", "fdsa"},
      new String[] {"No", "Name", "noname@none.com", "none"});

  static String companyName(long number) {
    int p = (int) (number % NAME_PREFIXES.size());
    int c = (int) ((number / NAME_PREFIXES.size()) % NAME_CORES.size());
    long rest = number / ((long) NAME_PREFIXES.size() * NAME_CORES.size());
    int s = (int) (rest % NAME_SUFFIXES.size());
    long n = rest / NAME_SUFFIXES.size();
    return NAME_PREFIXES.get(p) + NAME_CORES.get(c) + NAME_SUFFIXES.get(s) + (n == 0 ? "" : String.valueOf(n + 1));
  }
}
