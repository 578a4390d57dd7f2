package dev.plg360.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.sum;

import dev.plg360.common.config.Settings;
import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.Workspaces;
import dev.plg360.jobs.c360.Build360Job;
import dev.plg360.jobs.c360.Build360Settings;
import dev.plg360.jobs.c360.SignalTransforms;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The signals against the generator's truth, at the configured thresholds and at others: how many planted activity
 * surges (by account, in their days) and invite spikes (by person and day) build360 finds over the company's whole
 * history, and how many of what it fires were planted. One pass scores every account-day ({@link SignalTransforms#surgeScores}); each
 * threshold is then a filter of the scores, so the curve costs what one build360 signal pass does.
 */
final class SignalAccuracy {
  private SignalAccuracy() {}

  /** The surge thresholds tried: z-score (surge-min-z-score) and multiple of the expected count (surge-min-ratio). */
  static final double[] Z_SCORES = {2.0, 2.5, 3.0, 3.5, 4.0, 5.0};
  static final double[] RATIOS = {1.5, 2.0, 2.5, 3.0};
  /** The invite-spike thresholds tried (invite-spike-min-invites). */
  static final long[] MIN_INVITES = {3, 5, 8, 10, 12, 15};

  /** One point of a curve: the thresholds, what was planted, what fired and what of it was planted. */
  record Point(String signal, Map<String, Double> thresholds, boolean configured, int planted, int fired, int found) {
    double recall() {
      return planted == 0 ? 0 : (double) found / planted;
    }

    double precision() {
      return fired == 0 ? 0 : (double) found / fired;
    }
  }

  /** Every point of both curves, on the lake a chain built as of {@code asOf}, against the truth under {@code world}. */
  static List<Point> run(SparkSession spark, Lake lake, Path world, LocalDate asOf, Settings settings) {
    IdentityRules.registerUdfs(spark);
    Build360Settings s = Build360Settings.from(settings);
    IdentityAsOf identity = IdentityAsOf.of(lake.read(IdentityLinks.TABLE), asOf);
    Dataset<Row> activity = Build360Job.activity(lake, identity, asOf, s).cache();
    try {
      LocalDate from = activity.agg(org.apache.spark.sql.functions.min("event_date")).first().getDate(0).toLocalDate();
      List<Point> out = new ArrayList<>(surges(spark, lake, world, activity, from, asOf, s.signals()));
      out.addAll(inviteSpikes(spark, lake, world, activity, s));
      return out;
    } finally {
      activity.unpersist();
    }
  }

  /**
   * Surges by account and day, as build360 fires them at each pair of thresholds (the first day of a run of days
   * over them, none within the quiet days after one): a planted surge is found when its account fires in its window
   * (from its start to the last day); a surge fired anywhere else is noise.
   */
  private static List<Point> surges(SparkSession spark, Lake lake, Path world, Dataset<Row> activity, LocalDate from,
                                    LocalDate asOf, Build360Settings.SignalSettings s) {
    Map<String, String> accountOf = new HashMap<>();
    for (Row r : lake.read(Workspaces.TABLE).select(Workspaces.WORKSPACE_ID.col(), Workspaces.ACCOUNT_ID.col()).collectAsList()) {
      accountOf.put(r.getString(0), r.getString(1));
    }
    Map<String, LocalDate> start = new HashMap<>();
    for (Row r : truth(spark, world, "surges")) {
      start.merge(accountOf.get(r.<String>getAs("workspace_id")), LocalDate.parse(r.getAs("start_date")),
          (x, y) -> x.isBefore(y) ? x : y);
    }
    List<Row> scored = SignalTransforms.surgeScores(activity, from, asOf, s)
        .where(col("event_date").geq(java.sql.Date.valueOf(from))
            .and(col("x7").geq(s.surgeMinEvents7d())).and(col("z").geq(Z_SCORES[0]))
            .and(col("x7").geq(col("expected").multiply(RATIOS[0]))))
        .select(col("account_id"), col("event_date"), col("z"), col("x7").divide(col("expected")).as("ratio"))
        .orderBy("account_id", "event_date").collectAsList();
    List<Point> out = new ArrayList<>();
    for (double z : Z_SCORES) {
      for (double ratio : RATIOS) {
        Set<String> fired = new HashSet<>();
        Set<String> found = new HashSet<>();
        Map<String, LocalDate> lastOver = new HashMap<>();
        for (Row r : scored) {
          if (r.getDouble(2) < z || r.getDouble(3) < ratio) {
            continue;
          }
          String account = r.getString(0);
          LocalDate day = r.getDate(1).toLocalDate();
          LocalDate last = lastOver.put(account, day);
          if (last == null || last.plusDays(s.surgeQuietDays()).isBefore(day)) {
            fired.add(account + "|" + day);
            if (start.containsKey(account) && !day.isBefore(start.get(account))) {
              found.add(account);
            }
          }
        }
        boolean configured = z == s.surgeMinZScore() && ratio == s.surgeMinRatio();
        if (configured) {
          requireWhatBuild360Fired(lake, fired);
        }
        out.add(new Point("activity_surge", Map.of("surge-min-z-score", z, "surge-min-ratio", ratio), configured,
            start.size(), fired.size(), found.size()));
      }
    }
    return out;
  }

  /** At the configured thresholds the curve's surges are those build360 fired over the history: else it measures another rule. */
  private static void requireWhatBuild360Fired(Lake lake, Set<String> fired) {
    Set<String> inLake = new HashSet<>(lake.read(Signals.TABLE)
        .where(Signals.SIGNAL_TYPE.col().equalTo(SignalTransforms.ACTIVITY_SURGE))
        .select(concat_ws("|", Signals.ACCOUNT_ID.col(), Signals.SIGNAL_DATE.col().cast("string")))
        .as(Encoders.STRING()).collectAsList());
    if (!inLake.equals(fired)) {
      throw new IllegalStateException("the surges scored at the configured thresholds (" + fired.size()
          + ") are not those build360 fired (" + inLake.size() + "): the curve would measure another rule");
    }
  }

  private static List<Point> inviteSpikes(SparkSession spark, Lake lake, Path world, Dataset<Row> activity,
                                          Build360Settings s) {
    Map<String, String> personOf = new HashMap<>();
    for (Row r : lake.read(People.TABLE).select(explode(People.USER_IDS.col()), People.PERSON_ID.col()).collectAsList()) {
      personOf.put(r.getString(0), r.getString(1));
    }
    Set<String> planted = new HashSet<>();
    for (Row r : truth(spark, world, "invite_spikes")) {
      planted.add(personOf.get(r.<String>getAs("user_id")) + "|" + r.getAs("day"));
    }
    List<Row> perDay = activity.where(col("event_name").equalTo(s.inviteEvent()).and(col("person_id").isNotNull())
            .and(col("account_id").isNotNull()))
        .groupBy("person_id", "event_date").agg(sum("events").as("invites"))
        .where(col("invites").geq(MIN_INVITES[0])).collectAsList();
    List<Point> out = new ArrayList<>();
    for (long least : MIN_INVITES) {
      Set<String> fired = new HashSet<>();
      for (Row r : perDay) {
        if (r.getLong(2) >= least) {
          fired.add(r.getString(0) + "|" + r.getDate(1));
        }
      }
      out.add(point("invite_spike", Map.of("invite-spike-min-invites", (double) least),
          least == s.signals().inviteSpikeMinInvites(), planted, fired));
    }
    return out;
  }

  private static Point point(String signal, Map<String, Double> thresholds, boolean configured, Set<String> planted,
                             Set<String> fired) {
    Set<String> found = new HashSet<>(planted);
    found.retainAll(fired);
    return new Point(signal, thresholds, configured, planted.size(), fired.size(), found.size());
  }

  private static List<Row> truth(SparkSession spark, Path world, String table) {
    return spark.read().option("header", "true").csv(world.resolve("truth").resolve(table).toString()).collectAsList();
  }
}
