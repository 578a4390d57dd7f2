package dev.plg360.jobs.generate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.jobs.generate.World.Company;
import dev.plg360.jobs.generate.World.Person;
import dev.plg360.jobs.generate.World.Workspace;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Records in the vendors' shapes (docs/LANDING.md): Segment calls, Stripe subscription events, Clearbit companies,
 * HubSpot email events and form submissions, Zendesk ticket versions. Ids come from the simulation's seeded streams.
 * In realistic shapes (docs/GENERATOR.md) they take the forms the vendors' own exports have: analytics.js calls with
 * the workspace in context.groupId and an anonymousId, server-side calls without one, Stripe prices in
 * items.data[].price, unsubscribes as STATUSCHANGE events, Clearbit's email-provider flag, work addresses on tickets.
 */
final class VendorRecords {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final String PRODUCT_SITE = "https://www.plg360-product.example";

  private final GenerateSettings s;
  private final LocalDate start;
  private final Rng product;
  private final Rng world;
  private final Rng marketing;
  private final boolean realistic;

  /** {@code product} draws ids of product and billing records, {@code world} of companies, {@code marketing} of HubSpot's. */
  VendorRecords(GenerateSettings s, Rng product, Rng world, Rng marketing) {
    this.s = s;
    this.start = s.startDate();
    this.product = product;
    this.world = world;
    this.marketing = marketing;
    this.realistic = s.realistic();
  }

  private ObjectNode call(String type) {
    ObjectNode o = JSON.objectNode();
    o.put("messageId", product.uuid());
    o.put("type", type);
    return o;
  }

  /** An identify call: links the anonymous id (at sign-up) to the user id and carries traits.email. */
  ObjectNode identify(Person u, Instant t, boolean withAnonymousId) {
    ObjectNode o = call("identify");
    finish(o, u, null, t);
    if (withAnonymousId || (realistic && u.anonymousId != null)) {
      o.put("anonymousId", u.anonymousId);
    }
    o.set("traits", traits(u, t));
    o.set("context", context(u));
    return o;
  }

  /**
   * An analytics.js call in realistic shapes: the browser's anonymousId on every call, and the workspace in
   * context.groupId (only a group call has groupId at the top level).
   */
  private ObjectNode browser(ObjectNode o, Person u) {
    if (!realistic) {
      return o;
    }
    if (u.anonymousId != null && !o.has("anonymousId")) {
      o.put("anonymousId", u.anonymousId);
    }
    if (!o.path("type").asText().equals("group") && o.has("groupId")) {
      ((ObjectNode) o.get("context")).set("groupId", o.remove("groupId"));
    }
    return o;
  }

  private ObjectNode finish(ObjectNode o, Person u, Workspace w, Instant t) {
    if (u != null && u.userId != null) {
      o.put("userId", u.userId);
    }
    if (w != null) {
      o.put("groupId", w.id);
    }
    o.put("timestamp", Formats.segment(t));
    Instant sent = t.plusMillis(product.between(5, 2000));
    o.put("sentAt", product.chance(0.05) ? Formats.withOffset(sent, product.pick(List.of(2, -5, 10))) : Formats.segment(sent));
    return o;
  }

  private ObjectNode context(Person u) {
    ObjectNode c = JSON.objectNode();
    c.put("ip", u.ip);
    c.put("userAgent", u.userAgent);
    ObjectNode lib = c.putObject("library");
    lib.put("name", "analytics.js");
    lib.put("version", "4.1.0");
    return c;
  }

  ObjectNode track(String event, Person u, Workspace w, Instant t) {
    ObjectNode o = call("track");
    o.put("event", event);
    finish(o, u, w, t);
    o.putObject("properties");
    o.set("context", context(u));
    return browser(o, u);
  }

  /**
   * A track call the product's backend sends: in realistic shapes from a server library, so with no anonymousId,
   * browser or address, the workspace in context.groupId.
   */
  ObjectNode serverTrack(String event, Person u, Workspace w, Instant t) {
    ObjectNode o = track(event, u, w, t);
    if (realistic) {
      o.remove("anonymousId");
      ObjectNode c = JSON.objectNode();
      c.putObject("library").put("name", "analytics-node").put("version", "6.2.0");
      c.set("groupId", ((ObjectNode) o.get("context")).get("groupId"));
      o.set("context", c);
    }
    return o;
  }

  ObjectNode feature(Person u, Workspace w, String feature, Instant t) {
    ObjectNode o = track("Feature Used", u, w, t);
    ((ObjectNode) o.get("properties")).put("feature", feature);
    return o;
  }

  ObjectNode page(Person u, Workspace w, String name, String path, Instant t) {
    ObjectNode o = call("page");
    o.put("name", name);
    finish(o, u, w, t);
    ObjectNode props = o.putObject("properties");
    props.put("path", path);
    props.put("url", PRODUCT_SITE + path);
    o.set("context", context(u));
    return browser(o, u);
  }

  ObjectNode anonymousPage(Person u, String name, Instant t) {
    ObjectNode o = JSON.objectNode();
    o.put("messageId", product.uuid());
    o.put("type", "page");
    o.put("name", name);
    o.put("anonymousId", u.anonymousId);
    o.put("timestamp", Formats.segment(t));
    o.put("sentAt", Formats.segment(t.plusMillis(40)));
    ObjectNode props = o.putObject("properties");
    String path = "/" + name.toLowerCase(Locale.ROOT);
    props.put("path", name.equals("Home") ? "/" : path);
    props.put("url", PRODUCT_SITE + (name.equals("Home") ? "/" : path));
    o.set("context", context(u));
    return o;
  }

  private ObjectNode traits(Person u, Instant t) {
    ObjectNode tr = JSON.objectNode();
    tr.put("email", u.email);
    tr.put("name", u.name());
    if (u.title != null) {
      tr.put("title", u.title);
    }
    tr.put("created_at", Formats.segment(t));
    return tr;
  }

  ObjectNode group(Workspace w, Person u, Instant t) {
    ObjectNode o = call("group");
    finish(o, u, w, t);
    ObjectNode tr = o.putObject("traits");
    tr.put("name", w.company.personal ? u.first + "'s workspace" : w.company.name
        + (w.company.workspaces.size() > 1 ? " " + w.id.substring(3) : ""));
    tr.put("plan", w.plan.name());
    tr.put("created_at", Formats.segment(w.signupAt));
    o.set("context", context(u));
    return browser(o, u);
  }

  ObjectNode subscriptionEvent(Workspace w, String type, Instant t) {
    ObjectNode e = JSON.objectNode();
    e.put("id", "evt_" + product.base62(24));
    e.put("object", "event");
    e.put("type", type);
    e.put("created", Formats.epochSeconds(t));
    if (realistic) {
      e.putObject("data").set("object", subscription(w));
      return e;
    }
    ObjectNode sub = e.putObject("data").putObject("object");
    sub.put("id", w.subscriptionId);
    sub.put("object", "subscription");
    sub.put("customer", w.customerId);
    sub.put("status", w.status);
    ObjectNode plan = sub.putObject("plan");
    plan.put("id", w.plan.stripePlanId());
    plan.put("product", w.plan.product());
    plan.put("amount", w.plan.amountCents());
    plan.put("interval", w.plan.interval());
    sub.put("quantity", w.quantity);
    putTrialAndPeriod(sub, w.trial ? w.signupAt : null, w.plan, w.periodStart);
    sub.putNull("canceled_at");
    sub.put("created", Formats.epochSeconds(w.signupAt));
    sub.putObject("metadata").put("workspace_id", w.id);
    return e;
  }

  /** A subscription's trial (none when {@code trialStart} is null) and current billing period. */
  private void putTrialAndPeriod(ObjectNode sub, Instant trialStart, Plan plan, Instant periodStart) {
    if (trialStart != null) {
      sub.put("trial_start", Formats.epochSeconds(trialStart));
      sub.put("trial_end", Formats.epochSeconds(trialStart.plus(Duration.ofDays(s.trialDays()))));
    } else {
      sub.putNull("trial_start");
      sub.putNull("trial_end");
    }
    Instant periodEnd = periodStart.plus(Duration.ofDays(plan.interval().equals("year") ? 365 : 30));
    sub.put("current_period_start", Formats.epochSeconds(periodStart));
    sub.put("current_period_end", Formats.epochSeconds(periodEnd));
  }

  /** A word with its first letter in upper case: a name as people write it. */
  static String capitalised(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }

  /**
   * A Stripe subscription as the API now returns it: the price and seats in its one item ({@code items.data[0]}),
   * a trial's dates only on a subscription that began as one, and the payment method it has (none on a trial that
   * lapses).
   */
  private ObjectNode subscription(Workspace w) {
    ObjectNode sub = JSON.objectNode();
    sub.put("id", w.subscriptionId);
    sub.put("object", "subscription");
    sub.put("customer", w.customerId);
    sub.put("status", w.status);
    ObjectNode items = sub.putObject("items");
    items.put("object", "list");
    ObjectNode item = items.putArray("data").addObject();
    item.put("id", w.subscriptionItemId);
    item.put("object", "subscription_item");
    Plan plan = w.billedPlan;
    ObjectNode price = item.putObject("price");
    price.put("id", plan.stripePlanId());
    price.put("object", "price");
    price.put("product", plan.product());
    price.put("unit_amount", plan.amountCents());
    price.put("currency", "usd");
    price.put("nickname", capitalised(plan.name()));
    ObjectNode recurring = price.putObject("recurring");
    recurring.put("interval", plan.interval());
    recurring.put("interval_count", 1);
    item.put("quantity", w.quantity);
    putTrialAndPeriod(sub, w.subscriptionTrial ? w.subscriptionCreatedAt : null, plan, w.periodStart);
    if (w.canceledAt != null) {
      sub.put("canceled_at", Formats.epochSeconds(w.canceledAt));
      sub.put("ended_at", Formats.epochSeconds(w.canceledAt));
    } else {
      sub.putNull("canceled_at");
      sub.putNull("ended_at");
    }
    if (w.paymentMethod != null) {
      sub.put("default_payment_method", w.paymentMethod);
    } else {
      sub.putNull("default_payment_method");
    }
    sub.put("created", Formats.epochSeconds(w.subscriptionCreatedAt));
    sub.putObject("metadata").put("workspace_id", w.id);
    return sub;
  }

  ObjectNode clearbit(Company c) {
    ObjectNode o = JSON.objectNode();
    o.put("id", world.uuid());
    o.put("name", c.name);
    o.put("domain", c.domain);
    ObjectNode cat = o.putObject("category");
    cat.put("sector", c.sector);
    cat.put("industry", c.industry);
    ObjectNode m = o.putObject("metrics");
    m.put("employees", c.employees);
    m.put("employeesRange", employeesRange(c.employees));
    m.put("estimatedAnnualRevenue", revenueBand(c.employees * 150_000L));
    ObjectNode geo = o.putObject("geo");
    geo.put("country", c.country);
    geo.put("countryCode", c.countryCode);
    ArrayNode tech = o.putArray("tech");
    c.tech.forEach(tech::add);
    ObjectNode d = o.putObject("departments");
    c.departments.forEach(d::put);
    o.put("indexedAt", Formats.segment(start.minusDays(world.between(1, 60)).atStartOfDay(ZoneOffset.UTC).toInstant()));
    if (realistic) {
      o.put("emailProvider", false);
    }
    return o;
  }

  /**
   * Clearbit's record of a free-mail provider's own domain (gmail.com): a company like any other but flagged
   * {@code emailProvider}, so that a lookup of a free-mail user's domain finds one.
   */
  ObjectNode clearbitEmailProvider(String domain) {
    ObjectNode o = JSON.objectNode();
    o.put("id", world.uuid());
    o.put("name", capitalised(domain.substring(0, domain.indexOf('.'))));
    o.put("domain", domain);
    ObjectNode cat = o.putObject("category");
    cat.put("sector", "Information Technology");
    cat.put("industry", "Internet Software & Services");
    ObjectNode m = o.putObject("metrics");
    m.put("employees", 10_000 + world.between(0, 90_000));
    m.put("employeesRange", "10K-50K");
    o.putObject("geo");
    o.putArray("tech");
    o.put("indexedAt", Formats.segment(start.minusDays(world.between(1, 60)).atStartOfDay(ZoneOffset.UTC).toInstant()));
    o.put("emailProvider", true);
    return o;
  }

  private static String employeesRange(long n) {
    if (n <= 10) {
      return "1-10";
    } else if (n <= 50) {
      return "11-50";
    } else if (n <= 250) {
      return "51-250";
    } else if (n <= 1000) {
      return "251-1K";
    } else if (n <= 5000) {
      return "1K-5K";
    } else if (n <= 10_000) {
      return "5K-10K";
    }
    return "10K-50K";
  }

  private static String revenueBand(long dollars) {
    long m = dollars / 1_000_000;
    if (m < 1) {
      return "$0-$1M";
    } else if (m < 10) {
      return "$1M-$10M";
    } else if (m < 50) {
      return "$10M-$50M";
    } else if (m < 100) {
      return "$50M-$100M";
    } else if (m < 250) {
      return "$100M-$250M";
    } else if (m < 1000) {
      return "$250M-$1B";
    }
    return "$1B-$10B";
  }

  ObjectNode formSubmission(Person p, Company c, String formName, Instant t) {
    ObjectNode o = JSON.objectNode();
    o.put("conversionId", "f-" + marketing.uuid());
    o.put("submittedAt", Formats.epochMillis(t));
    String formId = switch (formName) {
      case "Demo Request" -> "demo";
      case "Webinar" -> "webinar";
      default -> "content";
    };
    o.put("formId", formId);
    o.put("formName", formName);
    o.put("pageUrl", PRODUCT_SITE + "/" + formId);
    ArrayNode values = o.putArray("values");
    values.addObject().put("name", "email").put("value", p.email);
    values.addObject().put("name", "firstname").put("value", p.first);
    values.addObject().put("name", "lastname").put("value", p.last);
    values.addObject().put("name", "company").put("value", c.name);
    return o;
  }

  ObjectNode emailEvent(String type, Person p, String campaign, Instant t, String url) {
    ObjectNode o = JSON.objectNode();
    o.put("id", "e-" + marketing.uuid());
    if (realistic && type.equals("UNSUBSCRIBED")) {
      // The email events API reports an unsubscribe as a change of the recipient's subscription status.
      o.put("type", "STATUSCHANGE");
      o.put("portalSubscriptionStatus", "UNSUBSCRIBED");
      o.put("source", "SOURCE_RECIPIENT");
      o.putArray("subscriptions").addObject().put("id", 7_000_001).put("status", "UNSUBSCRIBED");
    } else {
      o.put("type", type);
    }
    o.put("created", Formats.epochMillis(t));
    o.put("recipient", p.email);
    o.put("emailCampaignId", campaign);
    o.put("appName", "Batch");
    if (url != null) {
      o.put("url", url);
    }
    return o;
  }

  ObjectNode ticket(long id, Person u, String subject, String tag, String priority, String status,
                            Instant created, Instant updated, String score) {
    ObjectNode o = JSON.objectNode();
    o.put("id", id);
    o.put("created_at", Formats.zendesk(created));
    o.put("updated_at", Formats.zendesk(updated));
    o.put("status", status);
    o.put("priority", priority);
    o.put("subject", subject);
    o.putArray("tags").add(tag);
    ObjectNode req = o.putObject("requester");
    req.put("email", realistic && u.workEmail != null ? u.workEmail : u.email);
    req.put("name", u.name());
    o.putObject("satisfaction_rating").put("score", score);
    return o;
  }
}
