package dev.plg360.jobs.score;

import static org.apache.spark.sql.functions.col;

import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.io.Lake;
import dev.plg360.common.io.WriteResult;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.spark.Kept;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.ScoreTables;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadFunnel;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.Tables.Firmographics;
import dev.plg360.common.tables.Tables.FormSubmissions;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.common.tables.Tables.SfLeads;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.common.tables.Tables.Workspaces;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores for an as-of date (docs/SCORES.md): gold.account_scores and gold.lead_scores, changed only where a value
 * changed (their change data feed is what activation sends), and the day's gold.lead_funnel. Reads the day's
 * customer-360 snapshots, the signals, the open Salesforce leads and the current conversion model.
 */
public final class ScoreJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

  @Override
  public String name() {
    return "score";
  }

  @Override
  public void run(JobContext ctx) {
    ScoreSettings s = ScoreSettings.from(ctx.settings());
    ModelSettings m = ModelSettings.from(ctx.settings());
    Lake lake = ctx.lake();
    LocalDate asOf = ctx.asOf();
    IdentityRules.registerUdfs(ctx.spark());
    Column day = Snapshot.AS_OF.col().equalTo(Date.valueOf(asOf));
    Dataset<Row> accounts = lake.read(Account360.TABLE).where(day);
    Dataset<Row> signals = lake.read(Signals.TABLE);
    Dataset<Row> workspaces = lake.read(Workspace360.TABLE).where(day);
    // Every rule resolves against the columns it will see before any data is read (Spark's analysis only).
    Dataset<Row> planned = AccountScoring.enriched(accounts, workspaces, PqlScoring.none(ctx.spark()), signals, asOf, s);
    LeadScoring.statuses(LeadScoring.facts(leadInputs(lake, day, planned), asOf, s.leads()), s.leads());
    if (accounts.isEmpty()) {
      throw new IllegalStateException(noSnapshot(lake, asOf));
    }
    IdentityAsOf identity = IdentityAsOf.of(lake.read(IdentityLinks.TABLE), asOf);
    TrainingSet.Inputs in = new TrainingSet.Inputs(lake.read(Workspaces.TABLE), lake.read(ProductDaily.TABLE),
        lake.read(SubscriptionEvents.TABLE), lake.read(Firmographics.TABLE), identity);
    try (Kept kept = new Kept()) {
      PqlScoring.Result pql = PqlScoring.score(ctx.spark(), new ModelRegistry(ctx.spark(), lake.file(m.registryDir())),
          in, asOf, m, s, kept);
      if (pql.version().isEmpty()) {
        LOG.warn("no current conversion model under {}: PQL scores are null until `plg360 train` makes one", m.registryDir());
      } else {
        LOG.info("PQL scores of model {} for {} unconverted {}s", pql.version().get(), pql.entities(), m.population().label());
      }
      Dataset<Row> enriched = kept.keep(AccountScoring.enriched(accounts, workspaces, pql.perAccount(), signals, asOf, s));
      ctx.metrics().read(Account360.TABLE.qualifiedName(), enriched.count());
      Dataset<Row> statuses = kept.keep(
          LeadScoring.statuses(LeadScoring.facts(leadInputs(lake, day, enriched), asOf, s.leads()), s.leads()));
      ctx.metrics().read("open leads", statuses.count());
      Optional<LocalDate> scored = latestScored(lake);
      if (scored.isPresent() && asOf.isBefore(scored.get())) {
        // The score tables are the current state activation delivers: a day before theirs (a backfill) must not
        // replace them, or accounts made since would be deleted, here and in every target.
        LOG.warn("gold.account_scores and gold.lead_scores hold scores as of {}, after {}: they stay as they are; "
            + "only the funnel of {} is written", scored.get(), asOf, asOf);
      } else {
        ctx.metrics().wrote(lake.sync(AccountScoring.scores(enriched, lake.read(Accounts.TABLE), asOf), AccountScores.TABLE, List.of(ScoreTables.AS_OF)));
        ctx.metrics().wrote(lake.sync(LeadScoring.scores(statuses, asOf), LeadScores.TABLE, List.of(ScoreTables.AS_OF)));
      }
      writeFunnel(ctx, LeadScoring.funnel(statuses, asOf), asOf);
    }
  }

  /** The day the current account scores are of, if any were written. */
  private static Optional<LocalDate> latestScored(Lake lake) {
    if (!lake.exists(AccountScores.TABLE)) {
      return Optional.empty();
    }
    Row max = lake.read(AccountScores.TABLE).agg(org.apache.spark.sql.functions.max(ScoreTables.AS_OF.col())).first();
    return max.isNullAt(0) ? Optional.empty() : Optional.of(max.getDate(0).toLocalDate());
  }

  private static LeadScoring.Inputs leadInputs(Lake lake, Column day, Dataset<Row> accounts) {
    return new LeadScoring.Inputs(lake.read(SfLeads.TABLE), lake.read(User360.TABLE).where(day), accounts,
        lake.read(FormSubmissions.TABLE));
  }

  /** Replaces the day's funnel rows, unless they are these already (a re-run adds no version). */
  private static void writeFunnel(JobContext ctx, Dataset<Row> rows, LocalDate asOf) {
    Lake lake = ctx.lake();
    try (Kept kept = new Kept()) {
      Dataset<Row> day = kept.keep(rows);
      Dataset<Row> current = lake.read(LeadFunnel.TABLE).where(col(LeadFunnel.AS_OF.name()).equalTo(Date.valueOf(asOf)));
      Dataset<Row> conformed = Lake.conform(day, LeadFunnel.TABLE);
      if (Lake.sameRows(current, conformed)) {
        LOG.info("{} holds the funnel of {} already; not rewritten", LeadFunnel.TABLE, asOf);
        return;
      }
      WriteResult w = lake.replaceWhere(day, LeadFunnel.TABLE, "as_of = '" + asOf + "'");
      ctx.metrics().wrote(w);
    }
  }

  /** Why there is no snapshot to score: build360 did not run for the day, or ran and found no account. */
  static String noSnapshot(Lake lake, LocalDate asOf) {
    List<Row> built = lake.exists(JobRuns.TABLE) ? lake.read(JobRuns.TABLE).where(JobRuns.JOB.col().equalTo("build360")
        .and(JobRuns.AS_OF.col().equalTo(Date.valueOf(asOf))).and(JobRuns.STATUS.col().equalTo(RunLog.SUCCEEDED)))
        .orderBy(JobRuns.STARTED_AT.col().desc()).select(JobRuns.RUN_ID.col()).limit(1).collectAsList() : List.of();
    if (built.isEmpty()) {
      return Account360.TABLE.qualifiedName() + " has no snapshot as of " + asOf + ": run build360 --as-of " + asOf
          + " first";
    }
    return "build360 ran as of " + asOf + " (run " + built.get(0).getString(0) + ") and wrote no account to "
        + Account360.TABLE.qualifiedName() + ": no workspace or CRM account was linked to a company by then ("
        + IdentityLinks.TABLE.qualifiedName() + "); see what resolve as of " + asOf + " linked and quarantined ("
        + Quarantine.TABLE.qualifiedName() + ")";
  }
}
