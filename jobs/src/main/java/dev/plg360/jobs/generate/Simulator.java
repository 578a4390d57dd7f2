package dev.plg360.jobs.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.jobs.generate.World.Company;
import dev.plg360.jobs.generate.World.Person;
import dev.plg360.jobs.generate.World.Workspace;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Simulates one partition's share of the world, day by day over the history window, and emits every record to a
 * {@link Landing}: sign-ups with anonymous browsing before them, daily product use with weekday seasonality and
 * decay, invites, milestones, the planted conversion and its billing events, CRM leads, accounts, opportunities and
 * tasks, marketing emails and form submissions, support tickets. No I/O and no clock: the same settings and
 * partition give the same records in the same order. The world it built is kept for the truth.
 */
final class Simulator {
  private final GenerateSettings s;
  private final int partition;
  private final Landing out;
  // Separate streams, so that a change in one part of the simulation does not reshuffle the others.
  private final Rng worldRng;
  private final Rng activity;
  private final Rng crm;
  private final Rng marketing;
  private final LocalDate start;
  private final LocalDate end;
  private final Instant endExclusive;
  private final VendorRecords records;

  /** The days of the fortnight before a planted surge its workspace must have been active on. */
  static final int MIN_ACTIVE_DAYS_BEFORE_SURGE = 4;

  final List<Company> companies = new ArrayList<>();
  final List<Workspace> workspaces = new ArrayList<>();
  final List<Person> people = new ArrayList<>();
  final List<Truth.Surge> surges = new ArrayList<>();
  final List<Truth.InviteSpike> inviteSpikes = new ArrayList<>();
  final List<Truth.NearCap> nearCaps = new ArrayList<>();

  private final List<Person> marketable = new ArrayList<>();
  private final TreeMap<LocalDate, List<Runnable>> scheduled = new TreeMap<>();
  private final Map<String, Long> sfCounters = new HashMap<>();
  private long personCounter;
  private long ticketCounter;

  Simulator(GenerateSettings s, int partition, Landing out) {
    this.s = s;
    this.partition = partition;
    this.out = out;
    this.worldRng = new Rng(s.seed(), partition, 1);
    this.activity = new Rng(s.seed(), partition, 2);
    this.crm = new Rng(s.seed(), partition, 3);
    this.marketing = new Rng(s.seed(), partition, 4);
    this.start = s.startDate();
    this.end = s.endDate();
    this.endExclusive = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    this.records = new VendorRecords(s, activity, worldRng, marketing);
  }

  /** Builds the partition's companies and workspaces, then runs every day of the window. */
  void run() {
    long lo = (long) partition * s.workspacesPerPartition();
    long hi = Math.min(s.workspaces(), lo + s.workspacesPerPartition());
    buildWorld(lo, hi);
    for (Company c : companies) {
      if (c.inClearbit) {
        out.json(Feed.CLEARBIT, start, records.clearbit(c));
      }
    }
    if (s.realistic() && partition == 0) {
      for (String domain : Vocabulary.FREE_MAIL) {
        out.json(Feed.CLEARBIT, start, records.clearbitEmailProvider(domain));
      }
    }
    List<Workspace> bySignup = new ArrayList<>(workspaces);
    bySignup.sort(Comparator.comparing((Workspace w) -> w.signupAt).thenComparing(w -> w.id));
    List<Workspace> live = new ArrayList<>();
    int next = 0;
    for (LocalDate day = start; !day.isAfter(end); day = day.plusDays(1)) {
      while (next < bySignup.size() && bySignup.get(next).signupDay.equals(day)) {
        Workspace w = bySignup.get(next++);
        signUp(w);
        live.add(w);
      }
      if (day.equals(end.minusDays(29))) {
        planNearCaps(live);
      }
      for (Workspace w : live) {
        if (day.equals(w.signupDay.plusDays(s.observationDays()))) {
          drawLabel(w);
        }
      }
      runScheduled(day);
      for (Workspace w : live) {
        simulateDay(w, day);
      }
      for (Company c : companies) {
        if (!c.personal) {
          crmDay(c, day);
        }
      }
      if (day.getDayOfWeek() == DayOfWeek.TUESDAY) {
        sendNewsletter(day);
      }
      out.endOfDay(day);
    }
  }

  // ------------------------------------------------------------------------------------------- world

  private void buildWorld(long lo, long hi) {
    Rng r = worldRng;
    long i = lo;
    while (i < hi) {
      boolean personal = r.chance(s.personalShare());
      Company c = personal ? new Company(i, null, null, true) : business(i, r);
      int k = !personal && r.chance(s.multiWorkspaceShare()) ? r.between(2, 4) : 1;
      k = (int) Math.min(k, hi - i);
      companies.add(c);
      for (int j = 0; j < k; j++) {
        workspaces.add(workspace(i + j + 1, c, r));
      }
      i += k;
    }
  }

  private Company business(long number, Rng r) {
    String word = Vocabulary.companyName(number);
    String[] tld = Vocabulary.TLDS.get(r.weighted(Vocabulary.TLD_WEIGHTS));
    Company c = new Company(number, VendorRecords.capitalised(word), word + tld[0], false);
    c.employees = Math.min(50_000, (long) Math.floor(5 * Math.pow(1 - r.uniform(), -1 / 0.65)));
    String[] industry = Vocabulary.INDUSTRIES.get(r.weighted(Vocabulary.INDUSTRY_WEIGHTS));
    c.industry = industry[0];
    c.sector = industry[1];
    String[] country = tld[1] != null ? countryByCode(tld[1]) : Vocabulary.COUNTRIES.get(r.weighted(Vocabulary.COUNTRY_WEIGHTS));
    c.country = country[0];
    c.countryCode = country[1];
    c.inClearbit = !r.chance(s.clearbitMissingShare());
    double eng = Double.parseDouble(industry[2]) * (0.8 + 0.4 * r.uniform());
    double design = 0.03 + 0.03 * r.uniform();
    double mkt = 0.06 + 0.06 * r.uniform();
    double sales = 0.08 + 0.1 * r.uniform();
    double support = 0.05 + 0.07 * r.uniform();
    long[] heads = {Math.round(c.employees * eng), Math.round(c.employees * design), Math.round(c.employees * mkt),
        Math.round(c.employees * sales), Math.round(c.employees * support)};
    long used = 0;
    String[] names = {"engineering", "design", "marketing", "sales", "support"};
    for (int j = 0; j < names.length; j++) {
      heads[j] = Math.min(heads[j], c.employees - used);
      used += heads[j];
      c.departments.put(names[j], heads[j]);
    }
    c.departments.put("other", c.employees - used);
    for (String t : Vocabulary.TECH) {
      if (r.chance(0.25)) {
        c.tech.add(t);
      }
    }
    c.ownerId = r.pick(Vocabulary.SALES_REPS);
    return c;
  }

  private static String[] countryByCode(String code) {
    return Vocabulary.COUNTRIES.stream().filter(c -> c[1].equals(code)).findFirst().orElseThrow();
  }

  private Workspace workspace(long number, Company c, Rng r) {
    double u = r.uniform();
    // Half uniform, half growing: more sign-ups late in the window.
    int offset = (int) Math.min(s.days() - 1, Math.floor(s.days() * (r.chance(0.5) ? u : Math.sqrt(u))));
    LocalDate day = start.plusDays(offset);
    Instant at = at(day, r);
    boolean trial = r.chance(s.trialShare());
    double e = r.gaussian() + (trial ? 0.15 : 0) + 0.1 * Math.log10(Math.max(1, c.employees)) - (c.personal ? 0.3 : 0);
    double[] weights = new double[Vocabulary.FEATURES.size()];
    double[] base = {3, 2.5, 1.5, 1, 0.5, 1, 1, 1.5, 1, 0.7};
    for (int f = 0; f < weights.length; f++) {
      boolean decoy = Vocabulary.FEATURES.get(f).equals(s.model().decoyFeature());
      weights[f] = decoy ? 0 : base[f] * Math.exp(r.gaussian());
    }
    Workspace w = new Workspace(number, c, day, at, trial, e, 0.3 * r.uniform(), weights);
    c.workspaces.add(w);
    w.founder = newPerson(c, r, true);
    w.founder.userId = "u_" + String.format("%06d", number) + "_1";
    w.founder.anonymousId = "a_" + r.hex(16);
    w.founder.propensity = sigmoid(0.2 + 1.2 * e + 0.5 * r.gaussian());
    // Some browse the site anonymously in the days before they sign up.
    if (r.chance(0.7)) {
      int pages = r.between(1, 4);
      for (int p = 0; p < pages; p++) {
        int before = r.between(0, 3);
        LocalDate d = day.minusDays(before);
        if (d.isBefore(start)) {
          continue;
        }
        Instant t = before == 0 ? at.minusSeconds(r.between(60, 3600)) : at(d, r);
        String page = r.chance(0.5) ? "Pricing" : r.chance(0.6) ? "Docs" : "Home";
        schedule(d, () -> out.json(Feed.SEGMENT, d, records.anonymousPage(w.founder, page, t.isBefore(d.atStartOfDay(ZoneOffset.UTC).toInstant())
            ? d.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(1) : t)));
      }
    }
    if (day.isBefore(end.minusDays(44)) && e > -0.5 && r.chance(s.surgeShare())) {
      w.surgeStart = end.minusDays(13);
      w.surgeFactor = 3 + 2 * r.uniform();
    }
    if (r.chance(s.inviteSpikeShare())) {
      long left = ChronoUnit.DAYS.between(day, end);
      if (left >= 2) {
        w.spikeDay = day.plusDays(r.between(1, (int) Math.min(40, left)));
        w.spikeCount = r.between(10, 25);
      }
    }
    return w;
  }

  private Person newPerson(Company c, Rng r, boolean forceTitle) {
    String first = r.pick(Vocabulary.FIRST_NAMES);
    String last = r.pick(Vocabulary.LAST_NAMES);
    String title = forceTitle || r.chance(0.8) ? r.pick(Vocabulary.TITLES) : null;
    long n = personCounter++ * s.partitions() + partition;
    boolean free = c.personal || r.chance(s.freemailShare());
    String email;
    if (free) {
      email = ascii(first) + (r.chance(0.5) ? "." : "") + ascii(last) + n + "@" + r.pick(Vocabulary.FREE_MAIL);
    } else {
      double form = r.uniform();
      String local = form < 0.6 ? ascii(first) + "." + ascii(last) : form < 0.85 ? ascii(first).charAt(0) + ascii(last) : ascii(first);
      String unique = local;
      for (int k = 2; !c.localParts.add(unique); k++) {
        unique = local + k;
      }
      String domain = c.domain;
      if (r.chance(0.03)) {
        domain = r.pick(Vocabulary.EMAIL_SUBDOMAINS) + "." + domain;
      }
      if (r.chance(0.02)) {
        unique = unique + "+" + r.pick(List.of("test", "trial", "work"));
      }
      email = unique + "@" + domain;
      if (r.chance(0.05)) {
        email = mixedCase(email);
      }
    }
    c.headcount++;
    Person p = new Person(first, last, email, title, c.personal ? null : c, free);
    p.ip = "198.51." + r.between(0, 255) + "." + r.between(1, 254);
    p.userAgent = r.pick(Vocabulary.USER_AGENTS);
    people.add(p);
    return p;
  }

  /** The person's address at their company: first.last, made unique among the company's addresses. */
  private static String workEmail(Person p) {
    String local = ascii(p.first) + "." + ascii(p.last);
    String unique = local;
    for (int k = 2; !p.company.localParts.add(unique); k++) {
      unique = local + k;
    }
    return unique + "@" + p.company.domain;
  }

  private static String ascii(String name) {
    return name.toLowerCase(Locale.ROOT).replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("'", "");
  }

  /** Ana.Ruiz@Acme.io: the capitalised form people type. */
  private static String mixedCase(String email) {
    StringBuilder sb = new StringBuilder(email.length());
    boolean up = true;
    for (char ch : email.toCharArray()) {
      sb.append(up ? Character.toUpperCase(ch) : ch);
      up = ch == '.' || ch == '@';
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------- product

  private void signUp(Workspace w) {
    Person f = w.founder;
    LocalDate day = w.signupDay;
    Instant t = w.signupAt;
    f.workspaceIds.add(w.id);
    f.marketable = true;
    marketable.add(f);
    w.users.add(f);

    out.json(Feed.SEGMENT, day, records.identify(f, t, true));
    ObjectNode signedUp = records.track("Signed Up", f, w, t.plusMillis(200));
    signedUp.put("anonymousId", f.anonymousId);
    ((ObjectNode) signedUp.get("properties")).put("plan", w.trial ? "trial" : "free");
    out.json(Feed.SEGMENT, day, signedUp);
    out.json(Feed.SEGMENT, day, records.track("Workspace Created", f, w, t.plusMillis(900)));
    w.plan = w.trial ? s.trialPlan() : s.freePlan();
    out.json(Feed.SEGMENT, day, records.group(w, f, t.plusSeconds(1)));

    w.quantity = 1;
    if (!s.realistic()) {
      w.subscriptionId = "sub_" + activity.base62(14);
      w.customerId = "cus_" + activity.base62(14);
      w.status = w.trial ? "trialing" : "active";
      w.periodStart = t;
      out.json(Feed.STRIPE, day, records.subscriptionEvent(w, "customer.subscription.created", t.plusSeconds(2)));
    } else if (w.trial) {
      // A free workspace has no customer and no subscription: its first one is its first paid one.
      subscribe(w, "trialing", t.plusSeconds(2));
    }
    if (w.trial) {
      Instant trialEnd = t.plus(Duration.ofDays(s.trialDays()));
      schedule(trialEnd.atZone(ZoneOffset.UTC).toLocalDate(), () -> endTrial(w, trialEnd));
    }
    productSignupLead(w, f, t.plusSeconds(crm.between(60, 900)));
  }

  private void simulateDay(Workspace w, LocalDate day) {
    if (day.isBefore(w.signupDay)) {
      return;
    }
    if (day.equals(w.surgeStart)) {
      // A surge is more use by an active workspace's members: one that has gone quiet does not surge.
      if (w.activeDaysBeforeSurge >= MIN_ACTIVE_DAYS_BEFORE_SURGE) {
        surges.add(new Truth.Surge(w.id, w.surgeStart, round2(w.surgeFactor)));
      } else {
        w.surgeStart = null;
      }
    }
    long age = ChronoUnit.DAYS.between(w.signupDay, day);
    boolean inWindow = age < s.observationDays();
    boolean weekend = day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
    double decay = w.engagement > 0.5 ? 1 : Math.exp(-age / (5 + 60 * sigmoid(2.5 * (w.engagement + 0.2))));
    if (w.paid) {
      decay = Math.max(decay, 0.7);
    }
    double surge = w.surgeStart != null && !day.isBefore(w.surgeStart) ? w.surgeFactor : 1;
    boolean nearCapDays = w.nearCapTarget > 0 && !day.isBefore(end.minusDays(29));
    Rng r = activity;
    boolean anyActive = false;
    List<Person> users = new ArrayList<>(w.users);
    for (Person u : users) {
      double p = Math.min(0.97, u.propensity * (weekend ? 0.35 : 1) * decay * surge);
      boolean founderFirstDay = u == w.founder && age == 0;
      if (!founderFirstDay && !r.chance(p)) {
        continue;
      }
      anyActive = true;
      Instant t = founderFirstDay ? w.signupAt.plusSeconds(5) : at(day, r);
      out.json(Feed.SEGMENT, day, records.track("Logged In", u, w, t));
      int uses = 1 + r.poisson((0.8 + 1.2 * Math.max(0, w.engagement)) * surge);
      for (int k = 0; k < uses; k++) {
        String feature = Vocabulary.FEATURES.get(r.weighted(w.featureWeights));
        out.json(Feed.SEGMENT, day, records.feature(u, w, feature, t = later(t, r, day)));
        if (inWindow) {
          w.windowFeatures.add(feature);
        }
      }
      if (r.chance(w.decoyRate)) {
        out.json(Feed.SEGMENT, day, records.feature(u, w, s.model().decoyFeature(), t = later(t, r, day)));
        if (inWindow) {
          w.windowDecoyUses++;
        }
      }
      if ((founderFirstDay && w.projects == 0) || r.chance(0.04)) {
        w.projects++;
        ObjectNode e = records.track("Project Created", u, w, t = later(t, r, day));
        ((ObjectNode) e.get("properties")).put("project_id", "prj_" + w.number + "_" + w.projects);
        out.json(Feed.SEGMENT, day, e);
      }
      if (r.chance(0.03 * (1 + Math.max(0, w.engagement)))) {
        out.json(Feed.SEGMENT, day, records.track("Dashboard Shared", u, w, t = later(t, r, day)));
      }
      if (w.integrations.size() < Vocabulary.INTEGRATIONS.size() && r.chance(0.015 + 0.04 * Math.max(0, w.engagement))) {
        String integration = r.pick(Vocabulary.INTEGRATIONS);
        if (w.integrations.add(integration)) {
          ObjectNode e = records.track("Integration Connected", u, w, t = later(t, r, day));
          ((ObjectNode) e.get("properties")).put("integration", integration);
          out.json(Feed.SEGMENT, day, e);
          if (inWindow) {
            w.windowIntegration = true;
          }
        }
      }
      if (!w.integrations.isEmpty() && !nearCapDays && r.chance(0.25)) {
        ObjectNode e = records.serverTrack("API Called", u, w, t = later(t, r, day));
        ((ObjectNode) e.get("properties")).put("count", Math.round(Math.exp(2.5 + r.gaussian())));
        out.json(Feed.SEGMENT, day, e);
      }
      if (r.chance((0.03 + 0.03 * Math.max(0, w.engagement)) * (w.company.personal ? 0.3 : 1))) {
        int n = r.chance(0.2) ? 2 : 1;
        for (int k = 0; k < n; k++) {
          if (invite(w, u, t = later(t, r, day), day, 0.55, false) && inWindow) {
            w.windowInvites++;
          }
        }
      }
      boolean trialEnding = w.trial && age >= s.trialDays() - 4 && age <= s.trialDays();
      if (r.chance(0.02 + (trialEnding ? 0.15 : 0) + 0.03 * Math.max(0, w.engagement))) {
        out.json(Feed.SEGMENT, day, records.page(u, w, "Pricing", "/pricing", t = later(t, r, day)));
        if (inWindow) {
          w.windowPricingViews++;
        }
      }
      if (r.chance(0.08)) {
        out.json(Feed.SEGMENT, day, records.page(u, w, "Docs", "/docs/" + r.pick(Vocabulary.FEATURES), t = later(t, r, day)));
      }
      if (r.chance(0.003 * (1 + Math.log10(Math.max(1, w.company.employees))))) {
        out.json(Feed.SEGMENT, day, records.track("Contact Sales Clicked", u, w, t = later(t, r, day)));
      }
      if (r.chance(0.01)) {
        out.json(Feed.SEGMENT, day, records.identify(u, t = later(t, r, day), false));
      }
      if (r.chance(0.003)) {
        openTicket(u, later(t, r, day));
      }
    }
    if (anyActive) {
      activeOn(w, day);
      if (w.surgeStart != null && day.isBefore(w.surgeStart) && !day.isBefore(w.surgeStart.minusDays(14))) {
        w.activeDaysBeforeSurge++;
      }
    }
    if (day.equals(w.spikeDay)) {
      activeOn(w, day);
      Person u = w.founder;
      Instant t = at(day, r);
      for (int k = 0; k < w.spikeCount; k++) {
        if (invite(w, u, t = t.plusSeconds(r.between(5, 90)), day, 0.35, true) && inWindow) {
          w.windowInvites++;
        }
      }
      inviteSpikes.add(new Truth.InviteSpike(w.id, u.userId, day, w.spikeCount));
    }
    if (nearCapDays) {
      // The planted usage: the whole target over the last 30 days, one call batch a day.
      long perDay = w.nearCapTarget / 30;
      long count = day.equals(end) ? w.nearCapTarget - perDay * 29 : perDay;
      ObjectNode e = records.serverTrack("API Called", w.founder, w, at(day, r));
      ((ObjectNode) e.get("properties")).put("count", count);
      out.json(Feed.SEGMENT, day, e);
      activeOn(w, day);
    }
  }

  /** Counts the day as an active day of the observation window if it is in it: a member did something. */
  private void activeOn(Workspace w, LocalDate day) {
    if (ChronoUnit.DAYS.between(w.signupDay, day) < s.observationDays()) {
      w.windowActiveDays.add(day);
    }
  }

  /**
   * A member invites someone: a colleague of another of the company's workspaces, or someone new at the company. A
   * company with as many people as employees has nobody new to invite, except in a planted spike (a founder
   * inviting a list of addresses at once). Whether an invitation went out.
   */
  private boolean invite(Workspace w, Person inviter, Instant t, LocalDate day, double acceptRate, boolean spike) {
    Rng r = activity;
    Person invitee = null;
    boolean full = !w.company.personal && w.company.headcount >= w.company.employees;
    if (w.company.workspaces.size() > 1 && (full || r.chance(0.2))) {
      for (Workspace sibling : w.company.workspaces) {
        for (Person p : sibling.users) {
          if (!p.workspaceIds.contains(w.id)) {
            invitee = p;
          }
        }
      }
    }
    if (invitee == null) {
      if (full && !spike) {
        return false;
      }
      invitee = newPerson(w.company, r, false);
    }
    ObjectNode e = records.track("User Invited", inviter, w, t);
    ((ObjectNode) e.get("properties")).put("invitee_email", invitee.email);
    out.json(Feed.SEGMENT, day, e);
    if (r.chance(acceptRate)) {
      int after = r.between(0, 3);
      LocalDate d = day.plusDays(after);
      Instant at = after == 0 ? t.plusSeconds(r.between(60, 3600)) : at(d, r);
      if (!at.atZone(ZoneOffset.UTC).toLocalDate().equals(d)) {
        at = d.atTime(23, 59, 59).toInstant(ZoneOffset.UTC);
      }
      Person p = invitee;
      Instant acceptedAt = at;
      schedule(d, () -> accept(w, p, inviter, acceptedAt, d));
    }
    return true;
  }

  private void accept(Workspace w, Person p, Person inviter, Instant t, LocalDate day) {
    if (p.workspaceIds.contains(w.id) || w.users.size() >= w.plan.seats()) {
      // Every seat of the plan is taken (a paid workspace buys seats up to its plan's): the invitation waits.
      return;
    }
    if (p.userId == null) {
      p.userId = "u_" + String.format("%06d", w.number) + "_" + (w.users.size() + 1);
      p.propensity = sigmoid(-0.6 + 1.0 * w.engagement + 0.7 * activity.gaussian());
      if (!p.marketable) {
        p.marketable = true;
        marketable.add(p);
      }
    }
    if (s.realistic() && p.anonymousId == null) {
      p.anonymousId = "a_" + activity.hex(16);
    }
    p.workspaceIds.add(w.id);
    w.users.add(p);
    out.json(Feed.SEGMENT, day, records.identify(p, t, false));
    ObjectNode e = records.track("Invite Accepted", p, w, t.plusMillis(300));
    activeOn(w, day);
    ((ObjectNode) e.get("properties")).put("inviter_id", inviter.userId);
    out.json(Feed.SEGMENT, day, e);
    if (w.paid && w.users.size() > w.quantity && !day.equals(w.lastSeatUpdate)) {
      w.quantity = w.users.size();
      w.lastSeatUpdate = day;
      out.json(Feed.STRIPE, day, records.subscriptionEvent(w, "customer.subscription.updated", t.plusSeconds(30)));
    }
  }

  /** At the observation point: the planted probability from the window's behaviour and fit, and the label. */
  private void drawLabel(Workspace w) {
    PlantedModel.Inputs in = inputs(w);
    double p = s.model().probability(in);
    w.probability = p;
    w.converted = activity.chance(p);
    if (!w.converted) {
      return;
    }
    Instant obs = observationPoint(w);
    Instant trialEnd = w.signupAt.plus(Duration.ofDays(s.trialDays()));
    Instant at = w.trial && activity.chance(0.5) && trialEnd.isBefore(obs.plus(Duration.ofDays(s.labelHorizonDays())))
        ? trialEnd
        : obs.plusSeconds((long) (activity.uniform() * s.labelHorizonDays() * 86_400L));
    w.convertedAt = at;
    if (at.isBefore(endExclusive)) {
      schedule(at.atZone(ZoneOffset.UTC).toLocalDate(), () -> convert(w, at));
    }
  }

  PlantedModel.Inputs inputs(Workspace w) {
    Company c = w.company;
    return new PlantedModel.Inputs(w.windowActiveDays.size(), w.windowFeatures.size(), w.windowInvites, w.windowIntegration,
        w.windowPricingViews, c.personal ? 1 : c.employees, c.personal ? null : c.industry, w.trial, c.personal,
        w.windowDecoyUses);
  }

  Instant observationPoint(Workspace w) {
    return w.signupDay.plusDays(s.observationDays()).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  boolean labelComplete(Workspace w) {
    return !observationPoint(w).plus(Duration.ofDays(s.labelHorizonDays())).isAfter(endExclusive);
  }

  private void endTrial(Workspace w, Instant t) {
    if (w.paid || (w.convertedAt != null && w.convertedAt.equals(t))) {
      return;
    }
    w.plan = s.freePlan();
    if (s.realistic()) {
      // No payment method: the first invoice is not paid. Past due while Stripe retries it, then canceled.
      w.status = "past_due";
      out.json(Feed.STRIPE, day(t), records.subscriptionEvent(w, "customer.subscription.updated", t));
      Instant canceled = t.plus(Duration.ofDays(activity.between(3, 14)));
      schedule(day(canceled), () -> {
        if (w.status.equals("past_due")) {
          w.status = "canceled";
          w.canceledAt = canceled;
          out.json(Feed.STRIPE, day(canceled), records.subscriptionEvent(w, "customer.subscription.deleted", canceled));
        }
      });
      return;
    }
    w.status = "active";
    w.periodStart = t;
    out.json(Feed.STRIPE, day(t), records.subscriptionEvent(w, "customer.subscription.updated", t));
  }

  /** Realistic billing: a new subscription (and the customer, the first time), with no payment method yet. */
  private void subscribe(Workspace w, String status, Instant t) {
    if (w.customerId == null) {
      w.customerId = "cus_" + activity.base62(14);
    }
    w.subscriptionId = "sub_" + activity.base62(14);
    w.subscriptionItemId = "si_" + activity.base62(14);
    w.subscriptionCreatedAt = t;
    w.subscriptionTrial = status.equals("trialing");
    w.canceledAt = null;
    w.status = status;
    w.billedPlan = w.plan;
    w.periodStart = t;
    out.json(Feed.STRIPE, day(t), records.subscriptionEvent(w, "customer.subscription.created", t));
  }

  private void convert(Workspace w, Instant t) {
    LocalDate day = day(t);
    w.paid = true;
    w.plan = s.paidPlanFor(w.company.personal ? 1 : w.company.employees);
    w.status = "active";
    w.quantity = Math.max(1, w.users.size());
    w.periodStart = t;
    w.lastSeatUpdate = day;
    if (!s.realistic()) {
      out.json(Feed.STRIPE, day, records.subscriptionEvent(w, "customer.subscription.updated", t));
    } else {
      if (w.paymentMethod == null) {
        w.paymentMethod = "pm_" + activity.base62(24);
      }
      if (w.subscriptionId == null || w.canceledAt != null) {
        subscribe(w, "active", t);
      } else {
        // A trial, or a lapsed one still past due, that pays: the same subscription becomes active.
        w.billedPlan = w.plan;
        out.json(Feed.STRIPE, day, records.subscriptionEvent(w, "customer.subscription.updated", t));
      }
    }
    out.json(Feed.SEGMENT, day, records.group(w, w.founder, t.plusSeconds(5)));
    Company c = w.company;
    if (!c.personal && (c.employees >= 50 || c.account != null)) {
      Instant at = t.plusSeconds(3600 + crm.between(0, 3600));
      if (day(at).equals(day)) {
        ensureAccount(c, w.founder, at, day);
        closeOpportunity(c, true, at.plusSeconds(60), day, w);
      }
    }
  }

  private void planNearCaps(List<Workspace> live) {
    for (Workspace w : live) {
      boolean settled = w.signupDay.isBefore(end.minusDays(44))
          && (w.convertedAt == null || w.convertedAt.isBefore(end.minusDays(29).atStartOfDay(ZoneOffset.UTC).toInstant()))
          && !(w.trial && !w.paid && w.signupAt.plus(Duration.ofDays(s.trialDays())).isAfter(
              end.minusDays(29).atStartOfDay(ZoneOffset.UTC).toInstant()));
      if (settled && worldRng.chance(s.nearCapShare())) {
        long cap = w.plan.apiCallsPerMonth();
        w.nearCapTarget = Math.round(cap * (0.85 + 0.13 * worldRng.uniform()));
        w.nearCapPlan = w.plan.name();
        nearCaps.add(new Truth.NearCap(w.id, w.plan.name(), "api_calls_30d", w.nearCapTarget, cap));
      }
    }
  }

  // ------------------------------------------------------------------------------------------- CRM

  private void productSignupLead(Workspace w, Person f, Instant t) {
    Company c = w.company;
    Salesforce.Record lead = newRecord(Feed.SF_LEAD, "00Q", t)
        .set("FirstName", f.first).set("LastName", f.last).set("Email", f.email)
        .set("Company", c.personal || f.freeMail ? "[not provided]" : typedCompany(c))
        .set("Website", c.personal || f.freeMail ? null : website(c, crm))
        .set("Title", f.title).set("LeadSource", "Product Signup").set("Status", "Open - Not Contacted")
        .set("OwnerId", c.personal ? Vocabulary.SALES_REPS.get(0) : c.ownerId)
        .set("IsConverted", false).set("ConvertedAccountId", null).set("ConvertedContactId", null);
    f.lead = lead;
    out.csv(Feed.SF_LEAD, w.signupDay, lead);
    boolean worth = !c.personal && (c.employees >= 50 || w.engagement > 0.8);
    if (worth || crm.chance(0.3)) {
      LocalDate d = w.signupDay.plusDays(crm.between(2, 12));
      schedule(d, () -> {
        if (f.lead.get("IsConverted").equals("true")) {
          return;
        }
        Instant at = at(d, crm);
        String status = worth ? "Working - Contacted" : "Closed - Not Converted";
        out.csv(Feed.SF_LEAD, d, f.lead.set("Status", status).touch(at));
        if (worth) {
          task(c, f.lead.id(), null, "Email: Welcome to the product", "Email", at.plusSeconds(120), d);
        }
      });
    }
  }

  /** One company's CRM day: web forms (with their HubSpot submissions) and outbound prospecting. */
  private void crmDay(Company c, LocalDate day) {
    Rng r = crm;
    if (r.chance(0.0015 * (1 + Math.log10(Math.max(1, c.employees)) / 2))) {
      String source = r.pick(Vocabulary.MARKETING_LEAD_SOURCES);
      Person p = null;
      for (Workspace w : c.workspaces) {
        if (!w.users.isEmpty() && !w.signupDay.isAfter(day) && r.chance(0.5)) {
          p = r.pick(w.users);
        }
      }
      if (p == null) {
        p = newPerson(c, r, false);
      }
      Instant t = at(day, r);
      out.json(Feed.HUBSPOT_FORM, day, records.formSubmission(p, c, source, t));
      if (p.lead == null) {
        p.lead = newRecord(Feed.SF_LEAD, "00Q", t.plusSeconds(r.between(30, 600)))
            .set("FirstName", p.first).set("LastName", p.last).set("Email", p.email).set("Company", typedCompany(c))
            .set("Website", website(c, r)).set("Title", p.title).set("LeadSource", source)
            .set("Status", "Open - Not Contacted").set("OwnerId", c.ownerId).set("IsConverted", false)
            .set("ConvertedAccountId", null).set("ConvertedContactId", null);
        out.csv(Feed.SF_LEAD, day, p.lead);
      } else if (!"true".equals(p.lead.get("IsConverted"))) {
        out.csv(Feed.SF_LEAD, day, p.lead.set("Status", "Working - Contacted").touch(t.plusSeconds(600)));
      }
      if (!p.marketable) {
        p.marketable = true;
        marketable.add(p);
      }
      if (source.equals("Demo Request") && c.employees >= 20) {
        Person who = p;
        LocalDate d = day.plusDays(r.between(1, 5));
        schedule(d, () -> {
          Instant at = at(d, crm);
          ensureAccount(c, who, at, d);
          task(c, who.contact != null ? who.contact.id() : who.lead.id(), c.opportunity.id(), "Demo call", "Meeting",
              at.plusSeconds(900), d);
        });
      }
    }
    if (c.employees >= 200 && r.chance(0.001)) {
      Person p = newPerson(c, r, true);
      Instant t = at(day, r);
      p.lead = newRecord(Feed.SF_LEAD, "00Q", t)
          .set("FirstName", p.first).set("LastName", p.last).set("Email", p.email).set("Company", typedCompany(c))
          .set("Website", website(c, r)).set("Title", p.title).set("LeadSource", "Outbound")
          .set("Status", "Working - Contacted").set("OwnerId", c.ownerId).set("IsConverted", false)
          .set("ConvertedAccountId", null).set("ConvertedContactId", null);
      out.csv(Feed.SF_LEAD, day, p.lead);
      task(c, p.lead.id(), null, "Call", "Call", t.plusSeconds(300), day);
      p.marketable = true;
      marketable.add(p);
    }
  }

  /** The company's Account with an open Opportunity; the person's lead converts to a Contact of it. */
  private void ensureAccount(Company c, Person p, Instant t, LocalDate day) {
    Rng r = crm;
    if (c.account == null) {
      c.account = newRecord(Feed.SF_ACCOUNT, "001", t)
          .set("Name", accountName(c, r)).set("Website", website(c, r)).set("Industry", c.industry)
          .set("NumberOfEmployees", c.employees).set("BillingCountry", c.country).set("Type", "Prospect")
          .set("OwnerId", c.ownerId);
      out.csv(Feed.SF_ACCOUNT, day, c.account);
    }
    if (c.opportunity == null || "true".equals(c.opportunity.get("IsClosed"))) {
      Plan plan = s.paidPlanFor(c.employees);
      long seats = Math.max(5, Math.min(plan.seats(), c.employees / 10));
      c.opportunity = newRecord(Feed.SF_OPPORTUNITY, "006", t.plusSeconds(60))
          .set("AccountId", c.account.id()).set("Name", c.name + " - " + VendorRecords.capitalised(plan.name()))
          .set("StageName", "Qualification").set("Amount", amount(plan, seats))
          .set("CloseDate", Formats.date(day.plusDays(30))).set("IsClosed", false).set("IsWon", false)
          .set("Type", c.workspaces.stream().anyMatch(w -> w.paid) ? "Expansion" : "New Business")
          .set("OwnerId", c.ownerId);
      out.csv(Feed.SF_OPPORTUNITY, day, c.opportunity);
      Salesforce.Record opp = c.opportunity;
      LocalDate later = day.plusDays(r.between(7, 14));
      schedule(later, () -> {
        if (opp == c.opportunity && !"true".equals(opp.get("IsClosed"))) {
          out.csv(Feed.SF_OPPORTUNITY, later, opp.set("StageName", "Proposal/Price Quote").touch(at(later, crm)));
        }
      });
      LocalDate closeBy = day.plusDays(r.between(30, 60));
      schedule(closeBy, () -> {
        if (opp == c.opportunity && !"true".equals(opp.get("IsClosed")) && crm.chance(0.6)) {
          closeOpportunity(c, false, at(closeBy, crm), closeBy, null);
        }
      });
    }
    if (p != null && p.contact == null) {
      p.contact = newRecord(Feed.SF_CONTACT, "003", t.plusSeconds(30))
          .set("AccountId", c.account.id()).set("FirstName", p.first).set("LastName", p.last).set("Email", p.email)
          .set("Title", p.title).set("OwnerId", c.ownerId);
      out.csv(Feed.SF_CONTACT, day, p.contact);
      if (p.lead != null && !"true".equals(p.lead.get("IsConverted"))) {
        out.csv(Feed.SF_LEAD, day, p.lead.set("Status", "Closed - Converted").set("IsConverted", true)
            .set("ConvertedAccountId", c.account.id()).set("ConvertedContactId", p.contact.id()).touch(t.plusSeconds(40)));
      }
    }
  }

  private void closeOpportunity(Company c, boolean won, Instant t, LocalDate day, Workspace w) {
    Salesforce.Record opp = c.opportunity;
    if (opp == null || "true".equals(opp.get("IsClosed"))) {
      return;
    }
    opp.set("StageName", won ? "Closed Won" : "Closed Lost").set("IsClosed", true).set("IsWon", won)
        .set("CloseDate", Formats.date(day));
    if (won && w != null) {
      opp.set("Amount", amount(w.plan, w.quantity));
    }
    out.csv(Feed.SF_OPPORTUNITY, day, opp.touch(t));
    if (won && !"Customer".equals(c.account.get("Type"))) {
      out.csv(Feed.SF_ACCOUNT, day, c.account.set("Type", "Customer").touch(t.plusSeconds(10)));
    }
  }

  private void task(Company c, String whoId, String whatId, String subject, String type, Instant t, LocalDate day) {
    Rng r = crm;
    String s1 = r.chance(0.03) ? subject + ", re: \"pricing\"\nleft a voicemail" : subject;
    boolean done = !day.isAfter(end.minusDays(2)) || r.chance(0.5);
    Salesforce.Record task = newRecord(Feed.SF_TASK, "00T", t)
        .set("WhoId", whoId).set("WhatId", whatId != null ? whatId : c.account != null ? c.account.id() : null)
        .set("AccountId", c.account != null ? c.account.id() : null).set("Subject", s1).set("Type", type)
        .set("Status", done ? "Completed" : "Not Started").set("ActivityDate", Formats.date(day))
        .set("OwnerId", c.ownerId);
    out.csv(Feed.SF_TASK, day, task);
  }

  private Salesforce.Record newRecord(Feed feed, String prefix, Instant t) {
    long n = sfCounters.merge(prefix, 1L, Long::sum);
    Salesforce.Record rec = new Salesforce.Record(feed);
    rec.set("Id", Ids.salesforce(prefix, partition, n));
    for (String col : feed.columns()) {
      if (!rec.fields.containsKey(col)) {
        rec.set(col, null);
      }
    }
    rec.set("CreatedDate", Formats.salesforceDateTime(t)).set("IsDeleted", false);
    return rec.touch(t);
  }

  private static String amount(Plan plan, long seats) {
    long perYear = plan.interval().equals("year") ? plan.amountCents() : plan.amountCents() * 12;
    return BigDecimal.valueOf(perYear * seats, 2).toPlainString();
  }

  /** Website as people type it into Salesforce. */
  private static String website(Company c, Rng r) {
    return switch (r.between(0, 5)) {
      case 0 -> "https://www." + c.domain + "/";
      case 1 -> c.domain;
      case 2 -> "http://" + r.pick(Vocabulary.EMAIL_SUBDOMAINS) + "." + c.domain;
      case 3 -> "www." + c.domain;
      case 4 -> "https://" + c.domain;
      default -> "http://www." + c.domain.toUpperCase(Locale.ROOT);
    };
  }

  private static String typedCompany(Company c) {
    return c.name;
  }

  private static String accountName(Company c, Rng r) {
    String legal = switch (c.countryCode) {
      case "DE" -> " GmbH";
      case "GB" -> " Ltd";
      case "AU" -> " Pty Ltd";
      default -> r.chance(0.5) ? ", Inc." : "";
    };
    return c.name + legal;
  }

  // ------------------------------------------------------------------------------------------- marketing, support

  private void sendNewsletter(LocalDate day) {
    Rng r = marketing;
    String campaign = "c-" + day.get(IsoFields.WEEK_BASED_YEAR) + "w" + day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
    for (Person p : marketable) {
      if (p.unsubscribed || !r.chance(0.25)) {
        continue;
      }
      Instant t = day.atTime(9, 0).toInstant(ZoneOffset.UTC).plusSeconds(r.between(0, 7200));
      out.json(Feed.HUBSPOT_EMAIL, day, records.emailEvent("SENT", p, campaign, t, null));
      if (r.chance(0.03)) {
        out.json(Feed.HUBSPOT_EMAIL, day, records.emailEvent("BOUNCE", p, campaign, t.plusSeconds(r.between(1, 60)), null));
        continue;
      }
      out.json(Feed.HUBSPOT_EMAIL, day, records.emailEvent("DELIVERED", p, campaign, t.plusSeconds(r.between(1, 60)), null));
      if (r.chance(0.3)) {
        Instant open = t.plusSeconds(r.between(300, 36_000));
        out.json(Feed.HUBSPOT_EMAIL, day, records.emailEvent("OPEN", p, campaign, open, null));
        if (r.chance(0.2)) {
          out.json(Feed.HUBSPOT_EMAIL, day, records.emailEvent("CLICK", p, campaign, open.plusSeconds(r.between(5, 300)),
              VendorRecords.PRODUCT_SITE + "/blog/" + r.pick(Vocabulary.FEATURES) + "?utm_campaign=" + campaign));
        } else if (r.chance(0.02)) {
          p.unsubscribed = true;
          out.json(Feed.HUBSPOT_EMAIL, day, records.emailEvent("UNSUBSCRIBED", p, campaign, open.plusSeconds(r.between(5, 300)), null));
        }
      }
    }
  }

  private void openTicket(Person u, Instant t) {
    Rng r = activity;
    long id = (long) partition * 10_000_000L + (++ticketCounter);
    if (s.realistic() && u.freeMail && u.company != null && u.workEmail == null) {
      // Someone who signed up with a free-mail address often writes to support from work.
      u.workEmail = workEmail(u);
    }
    String subject = r.pick(Vocabulary.TICKET_SUBJECTS);
    String tag = r.pick(Vocabulary.TICKET_TAGS);
    String priority = r.pick(List.of("low", "normal", "normal", "high", "urgent"));
    out.json(Feed.ZENDESK, day(t), records.ticket(id, u, subject, tag, priority, "new", t, t, "unoffered"));
    Instant opened = t.plusSeconds(r.between(600, 6 * 3600));
    Instant solved = opened.plusSeconds(r.between(3600, 72 * 3600));
    String score = r.pick(List.of("good", "good", "bad", "offered"));
    schedule(day(opened), () -> out.json(Feed.ZENDESK, day(opened), records.ticket(id, u, subject, tag, priority, "open", t, opened, "unoffered")));
    schedule(day(solved), () -> out.json(Feed.ZENDESK, day(solved), records.ticket(id, u, subject, tag, priority, "solved", t, solved, score)));
  }

  // ------------------------------------------------------------------------------------------- time

  private void schedule(LocalDate day, Runnable action) {
    if (!day.isAfter(end)) {
      scheduled.computeIfAbsent(day, d -> new ArrayList<>()).add(action);
    }
  }

  private void runScheduled(LocalDate day) {
    List<Runnable> actions = scheduled.remove(day);
    if (actions == null) {
      return;
    }
    // Actions may schedule more for the same day: run until none is left.
    for (int i = 0; i < actions.size(); i++) {
      actions.get(i).run();
      List<Runnable> more = scheduled.remove(day);
      if (more != null) {
        actions.addAll(more);
      }
    }
  }

  /** A time of day on a business-hours curve (UTC). */
  private static Instant at(LocalDate day, Rng r) {
    double hour = Math.max(0, Math.min(23.99, 14 + 3.5 * r.gaussian()));
    return day.atStartOfDay(ZoneOffset.UTC).toInstant().plusMillis((long) (hour * 3_600_000));
  }

  /** A little later the same day (never past midnight, so a record stays in its day's file). */
  private static Instant later(Instant t, Rng r, LocalDate day) {
    Instant next = t.plusMillis(r.between(2_000, 240_000));
    Instant last = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
    return next.isAfter(last) ? last : next;
  }

  private static LocalDate day(Instant t) {
    return t.atZone(ZoneOffset.UTC).toLocalDate();
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
