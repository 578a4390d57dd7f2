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
 */
final class VendorRecords {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final String PRODUCT_SITE = "https://www.plg360-product.example";

  private final GenerateSettings s;
  private final LocalDate start;
  private final Rng product;
  private final Rng world;
  private final Rng marketing;

  /** {@code product} draws ids of product and billing records, {@code world} of companies, {@code marketing} of HubSpot's. */
  VendorRecords(GenerateSettings s, Rng product, Rng world, Rng marketing) {
    this.s = s;
    this.start = s.startDate();
    this.product = product;
    this.world = world;
    this.marketing = marketing;
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
    if (withAnonymousId) {
      o.put("anonymousId", u.anonymousId);
    }
    o.set("traits", traits(u, t));
    o.set("context", context(u));
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
    return o;
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
    return o;
  }

  ObjectNode subscriptionEvent(Workspace w, String type, Instant t) {
    ObjectNode e = JSON.objectNode();
    e.put("id", "evt_" + product.base62(24));
    e.put("object", "event");
    e.put("type", type);
    e.put("created", Formats.epochSeconds(t));
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
    if (w.trial) {
      sub.put("trial_start", Formats.epochSeconds(w.signupAt));
      sub.put("trial_end", Formats.epochSeconds(w.signupAt.plus(Duration.ofDays(s.trialDays()))));
    } else {
      sub.putNull("trial_start");
      sub.putNull("trial_end");
    }
    Instant periodEnd = w.periodStart.plus(Duration.ofDays(w.plan.interval().equals("year") ? 365 : 30));
    sub.put("current_period_start", Formats.epochSeconds(w.periodStart));
    sub.put("current_period_end", Formats.epochSeconds(periodEnd));
    sub.putNull("canceled_at");
    sub.put("created", Formats.epochSeconds(w.signupAt));
    sub.putObject("metadata").put("workspace_id", w.id);
    return e;
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
    o.put("type", type);
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
    req.put("email", u.email);
    req.put("name", u.name());
    o.putObject("satisfaction_rating").put("score", score);
    return o;
  }
}
