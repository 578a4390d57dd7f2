package dev.plg360.jobs.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.quality.Reason;
import dev.plg360.common.source.FieldPath;
import dev.plg360.jobs.generate.GenerateSettings.Shapes;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, record by record, whether to plant a defect, and plants it: at most one per record, and only defects
 * that ingest sees exactly once with one known reason. Missing fields and bad timestamps use the source's own
 * mapping ({@link FeedMapping}: its required fields and timestamp columns); a replayed duplicate is an exact copy of
 * a clean record written earlier (so the original is accepted and the copy is the duplicate; from the same file for a
 * snapshot export, whose versions are its files); a truncated line is only ever the last record of a JSON file.
 * Pure: no I/O, seeded.
 */
final class DefectPlanter {

  static final String MALFORMED_JSON = "malformed_json";
  static final String TRUNCATED_LAST_LINE = "truncated_last_line";
  static final String MISSING_REQUIRED_FIELD = "missing_required_field";
  static final String BAD_TIMESTAMP = "bad_timestamp";
  static final String REPLAYED_DUPLICATE = "replayed_duplicate";
  static final String WRONG_COLUMN_COUNT = "wrong_column_count";
  static final String UNKNOWN_WORKSPACE = "unknown_workspace";
  static final String JUNK_LEAD = "junk_lead";
  static final String EMAIL_WITHOUT_AT = "email_without_at";

  private static final int RESERVOIR = 32;

  /** One record's text as written, and the defect planted in it (kind null for a clean record). */
  record Line(String text, String kind, String expectedReason, String detail) {
    static Line clean(String text) {
      return new Line(text, null, null, null);
    }

    boolean isClean() {
      return kind == null;
    }
  }

  private final double rate;
  private final double junkLeadShare;
  private final Map<Feed, FeedMapping> specs;
  private final Rng rng;
  /** Junk leads beside new leads, drawn apart from the defects so that their share changes nothing else. */
  private final Rng junkRng;
  private final long unknownWorkspaceBase;
  private final int partition;
  private final Shapes shapes;
  private final ObjectMapper mapper = new ObjectMapper();
  private final CsvText csv;
  private final Map<Feed, List<String>> reservoirs = new EnumMap<>(Feed.class);
  private long junkCounter;

  DefectPlanter(GenerateSettings settings, Map<Feed, FeedMapping> specs, Rng rng, Rng junkRng, int partition) {
    this.rate = settings.badRate();
    this.junkLeadShare = settings.junkLeadShare();
    this.specs = specs;
    this.rng = rng;
    this.junkRng = junkRng;
    this.unknownWorkspaceBase = settings.workspaces();
    this.partition = partition;
    this.shapes = settings.shapes();
    this.csv = new CsvText(shapes == Shapes.REALISTIC);
  }

  /** The lines to write for one JSON record: the record (maybe with a defect), maybe after a planted extra line. */
  List<Line> json(Feed feed, ObjectNode record) {
    List<Line> out = new ArrayList<>(2);
    // A feed no source reads gets no defect: what ingest would reject of it depends on a mapping nobody wrote.
    if (!specs.containsKey(feed) || !rng.chance(rate)) {
      out.add(Line.clean(text(record)));
      return out;
    }
    List<String> kinds = new ArrayList<>(List.of(MALFORMED_JSON, MISSING_REQUIRED_FIELD, BAD_TIMESTAMP, REPLAYED_DUPLICATE));
    if (feed == Feed.SEGMENT && (record.hasNonNull("groupId") || record.path("context").hasNonNull("groupId"))) {
      kinds.add(UNKNOWN_WORKSPACE);
    }
    if (specs.get(feed).email() != null) {
      kinds.add(EMAIL_WITHOUT_AT);
    }
    String kind = rng.pick(kinds);
    Line planted = switch (kind) {
      case MALFORMED_JSON -> cut(text(record), MALFORMED_JSON);
      case MISSING_REQUIRED_FIELD -> removeRequired(feed, record);
      case BAD_TIMESTAMP -> breakTimestamp(feed, record);
      case REPLAYED_DUPLICATE -> replay(feed);
      case UNKNOWN_WORKSPACE -> unknownWorkspace(record);
      default -> emailWithoutAt(feed, record);
    };
    if (planted == null) {
      out.add(Line.clean(text(record)));
    } else if (kind.equals(REPLAYED_DUPLICATE)) {
      out.add(planted);
      out.add(Line.clean(text(record)));
    } else {
      out.add(planted);
    }
    return out;
  }

  /** The text of a Salesforce record version as the feed's files write it, without a defect. */
  String cleanCsv(Feed feed, Salesforce.Record record) {
    return csv.format(row(feed, record));
  }

  private String[] row(Feed feed, Salesforce.Record record) {
    return feed.isSnapshot(shapes) ? record.snapshotRow() : record.row();
  }

  /** The lines to write for one Salesforce record version. */
  List<Line> csv(Feed feed, Salesforce.Record record) {
    List<Line> out = new ArrayList<>(3);
    boolean newLead = feed == Feed.SF_LEAD && record.get("CreatedDate").equals(record.get("LastModifiedDate"));
    if (newLead && junkRng.chance(junkLeadShare)) {
      out.add(junkLead(record, junkRng));
    }
    String[] row = row(feed, record);
    if (!rng.chance(rate)) {
      out.add(Line.clean(csv.format(row)));
      return out;
    }
    List<String> columns = feed.columns(shapes);
    List<String> kinds = new ArrayList<>(List.of(WRONG_COLUMN_COUNT, MISSING_REQUIRED_FIELD, BAD_TIMESTAMP, REPLAYED_DUPLICATE));
    int email = columns.indexOf("Email");
    if (email >= 0 && row[email] != null && row[email].contains("@")) {
      kinds.add(EMAIL_WITHOUT_AT);
    }
    if (feed == Feed.SF_LEAD) {
      kinds.add(JUNK_LEAD);
    }
    String kind = rng.pick(kinds);
    String[] v = row.clone();
    switch (kind) {
      case WRONG_COLUMN_COUNT -> {
        String[] changed = new String[rng.chance(0.5) ? v.length - 1 : v.length + 1];
        System.arraycopy(v, 0, changed, 0, Math.min(v.length, changed.length));
        if (changed.length > v.length) {
          changed[v.length] = "extra";
        }
        out.add(new Line(csv.format(changed), kind, Reason.WRONG_COLUMN_COUNT.name(),
            changed.length + " fields for " + v.length + " columns"));
      }
      case MISSING_REQUIRED_FIELD -> {
        String column = rng.pick(specs.get(feed).required()).fieldPath().top();
        v[columns.indexOf(column)] = "";
        out.add(new Line(csv.format(v), kind, Reason.MISSING_REQUIRED_FIELD.name(), column));
      }
      case BAD_TIMESTAMP -> {
        String column = rng.pick(List.of("CreatedDate", "LastModifiedDate").stream()
            .filter(columns::contains).toList());
        v[columns.indexOf(column)] = badTimestamp("iso");
        out.add(new Line(csv.format(v), kind, Reason.UNPARSEABLE_TIMESTAMP.name(), column));
      }
      case REPLAYED_DUPLICATE -> {
        Line copy = replay(feed);
        if (copy != null) {
          out.add(copy);
        }
        out.add(Line.clean(csv.format(row)));
      }
      case EMAIL_WITHOUT_AT -> {
        v[email] = withoutAt(v[email]);
        out.add(new Line(csv.format(v), kind, Truth.ACCEPTED_BY_INGEST, "Email " + v[email]));
      }
      default -> {
        out.add(junkLead(record, rng));
        out.add(Line.clean(csv.format(row)));
      }
    }
    return out;
  }

  /** Called when a snapshot export's file starts: a replay of a record of an earlier export is no duplicate. */
  void startSnapshot(Feed feed) {
    reservoirs.remove(feed);
  }

  /** Called for each clean record once it is written in full: a candidate for a later replay. */
  void remember(Feed feed, String text) {
    List<String> r = reservoirs.computeIfAbsent(feed, f -> new ArrayList<>());
    if (r.size() < RESERVOIR) {
      r.add(text);
    } else if (rng.chance(0.05)) {
      r.set(rng.between(0, RESERVOIR - 1), text);
    }
  }

  /** Whether to cut the last record of a JSON file that is being closed (it gets no line break either). */
  Optional<Line> truncateLast(Feed feed, Line last) {
    if (feed.isCsv() || !specs.containsKey(feed) || last == null || !last.isClean()
        || !rng.chance(Math.min(1, rate * 10))) {
      return Optional.empty();
    }
    return Optional.of(cut(last.text(), TRUNCATED_LAST_LINE));
  }

  private String text(JsonNode record) {
    try {
      return mapper.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A strict prefix of a JSON object, never the whole: it can not parse. */
  private Line cut(String text, String kind) {
    int at = rng.between(Math.min(text.length() - 2, 10), text.length() - 2);
    return new Line(text.substring(0, at), kind, Reason.MALFORMED_JSON.name(), "cut at character " + at);
  }

  private Line replay(Feed feed) {
    List<String> r = reservoirs.get(feed);
    if (r == null || r.isEmpty()) {
      return null;
    }
    return new Line(rng.pick(r), REPLAYED_DUPLICATE, Reason.DUPLICATE.name(), "exact copy of an earlier record");
  }

  private Line removeRequired(Feed feed, ObjectNode record) {
    ObjectNode copy = record.deepCopy();
    List<FeedMapping.Field> required = new ArrayList<>(specs.get(feed).required());
    while (!required.isEmpty()) {
      FeedMapping.Field f = required.remove(rng.between(0, required.size() - 1));
      if (remove(copy, f.fieldPath())) {
        return new Line(text(copy), MISSING_REQUIRED_FIELD, Reason.MISSING_REQUIRED_FIELD.name(), f.column());
      }
    }
    return null;
  }

  private Line breakTimestamp(Feed feed, ObjectNode record) {
    ObjectNode copy = record.deepCopy();
    List<FeedMapping.Field> candidates = new ArrayList<>(specs.get(feed).timestamps());
    while (!candidates.isEmpty()) {
      FeedMapping.Field f = candidates.remove(rng.between(0, candidates.size() - 1));
      FieldPath path = f.fieldPath();
      ObjectNode parent = parent(copy, path);
      String leaf = leaf(path);
      if (parent != null && parent.hasNonNull(leaf) && parent.get(leaf).isValueNode()) {
        parent.put(leaf, badTimestamp(f.format()));
        return new Line(text(copy), BAD_TIMESTAMP, Reason.UNPARSEABLE_TIMESTAMP.name(), f.column());
      }
    }
    return null;
  }

  private Line unknownWorkspace(ObjectNode record) {
    ObjectNode copy = record.deepCopy();
    String id = Ids.workspace(unknownWorkspaceBase + rng.between(1, 999_999));
    // Where the call names its workspace: at the top (a group call), or in its context (analytics.js).
    boolean atTop = copy.hasNonNull("groupId");
    (atTop ? copy : (ObjectNode) copy.get("context")).put("groupId", id);
    return new Line(text(copy), UNKNOWN_WORKSPACE, Truth.ACCEPTED_BY_INGEST,
        (atTop ? "" : "context.") + "groupId " + id);
  }

  private Line emailWithoutAt(Feed feed, ObjectNode record) {
    ObjectNode copy = record.deepCopy();
    FieldPath path = specs.get(feed).email().fieldPath();
    if (path.isListEntry()) {
      for (JsonNode entry : copy.path(path.top())) {
        if (path.listMatch().equals(entry.path(path.listKey()).asText()) && entry.path(path.listValue()).asText().contains("@")) {
          String broken = withoutAt(entry.path(path.listValue()).asText());
          ((ObjectNode) entry).put(path.listValue(), broken);
          return new Line(text(copy), EMAIL_WITHOUT_AT, Truth.ACCEPTED_BY_INGEST, "email " + broken);
        }
      }
      return null;
    }
    ObjectNode parent = parent(copy, path);
    String leaf = leaf(path);
    if (parent == null || !parent.path(leaf).asText().contains("@")) {
      return null;
    }
    String broken = withoutAt(parent.path(leaf).asText());
    parent.put(leaf, broken);
    return new Line(text(copy), EMAIL_WITHOUT_AT, Truth.ACCEPTED_BY_INGEST, "email " + broken);
  }

  /** A junk lead created when {@code beside} was last changed. */
  private Line junkLead(Salesforce.Record beside, Rng rng) {
    String[] junk = rng.pick(Vocabulary.JUNK_LEADS);
    Salesforce.Record lead = new Salesforce.Record(Feed.SF_LEAD);
    lead.set("Id", Ids.salesforce("00Q", partition, 100_000_000L + (++junkCounter)))
        .set("FirstName", junk[0]).set("LastName", junk[1]).set("Email", junk[2]).set("Company", junk[3])
        .set("LeadSource", rng.pick(Vocabulary.MARKETING_LEAD_SOURCES)).set("Status", "Open - Not Contacted")
        .set("OwnerId", Vocabulary.SALES_REPS.get(0)).set("IsConverted", false)
        .set("CreatedDate", beside.get("LastModifiedDate")).set("LastModifiedDate", beside.get("LastModifiedDate"))
        .set("IsDeleted", false);
    return new Line(csv.format(row(Feed.SF_LEAD, lead)), JUNK_LEAD, Truth.ACCEPTED_BY_INGEST, junk[0] + " " + junk[1]);
  }

  private String withoutAt(String email) {
    return email.replace("@", rng.pick(List.of("", " at ", "(at)")));
  }

  private String badTimestamp(String format) {
    return format.startsWith("epoch")
        ? rng.pick(List.of("yesterday", "17776296OO", "N/A"))
        : rng.pick(List.of("yesterday", "31/05/2026 10:00", "2026-13-45T99:00:00Z", "2026-05-01 at noon"));
  }

  /** Removes the field at every alternative of the path; true if one was there. */
  private static boolean remove(ObjectNode root, FieldPath path) {
    boolean removed = false;
    for (FieldPath alternative : path.alternatives()) {
      removed |= removeOne(root, alternative);
    }
    return removed;
  }

  private static boolean removeOne(ObjectNode root, FieldPath path) {
    if (path.isListEntry()) {
      JsonNode list = root.path(path.top());
      if (list instanceof ArrayNode arr) {
        for (int i = 0; i < arr.size(); i++) {
          if (path.listMatch().equals(arr.get(i).path(path.listKey()).asText())) {
            arr.remove(i);
            return true;
          }
        }
      }
      return false;
    }
    ObjectNode parent = parent(root, path);
    return parent != null && parent.remove(leaf(path)) != null;
  }

  /** The object holding a plain path's last field, or null. */
  private static ObjectNode parent(ObjectNode root, FieldPath path) {
    if (path.rest() == null) {
      return root;
    }
    String[] parts = (path.top() + "." + path.rest()).split("\\.");
    JsonNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.path(parts[i]);
    }
    return node instanceof ObjectNode o ? o : null;
  }

  private static String leaf(FieldPath path) {
    if (path.rest() == null) {
      return path.top();
    }
    String[] parts = path.rest().split("\\.");
    return parts[parts.length - 1];
  }
}
