package dev.plg360.common.model;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.asof.AsOf;
import dev.plg360.common.billing.Paying;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.model.ModelSettings.Population;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.common.tables.TableDef;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * The point-in-time training set of the conversion model (gold.conversion_training) as of a date.
 *
 * <p>The population is every workspace (or account) that started on a free plan or a trial and whose observation
 * point (sign-up day + observation-days, 00:00 UTC) has passed by the end of the as-of day, and that had not paid
 * before it. Its features are the configured SQL aggregates over its observation window: the product rollup's
 * rows from the sign-up day to the day before the observation point, with the entity's attributes as they stood
 * at the observation point (firmographics indexed before it, seats of its subscription before it) on every row.
 * Nothing after the observation point reaches a feature: the label, the paid date and later events are not
 * columns of the window. The label is whether a paid subscription started within the horizon after the
 * observation point; it is null while the horizon has not passed by the end of the as-of day.
 */
public final class TrainingSet {
  private TrainingSet() {}

  /** The columns of the observation window a feature's SQL can use. */
  public static final StructType WINDOW = new StructType()
      .add("entity_id", DataTypes.StringType)
      .add("event_date", DataTypes.DateType)
      .add("day", DataTypes.IntegerType)
      .add("event_name", DataTypes.StringType)
      .add("feature", DataTypes.StringType)
      .add("events", DataTypes.LongType)
      .add("quantity", DataTypes.LongType)
      .add("user_id", DataTypes.StringType)
      .add("is_active", DataTypes.BooleanType)
      .add("signup_date", DataTypes.DateType)
      .add("plan_start", DataTypes.StringType)
      .add("is_personal", DataTypes.BooleanType)
      .add("employees", DataTypes.LongType)
      .add("industry", DataTypes.StringType)
      .add("country", DataTypes.StringType)
      .add("seats_bought", DataTypes.LongType);

  /**
   * What the set is built from: silver.workspaces, silver.product_daily, bronze.subscription_events and
   * bronze.firmographics (all versions), and the identity graph as of the as-of date.
   */
  public record Inputs(Dataset<Row> workspaces, Dataset<Row> daily, Dataset<Row> subscriptionEvents,
                       Dataset<Row> firmographics, IdentityAsOf identity) {}

  /** The training set as of the date, in the columns of {@link #table}. */
  public static Dataset<Row> build(Inputs in, LocalDate asOf, ModelSettings s) {
    Dataset<Row> members = members(in, s.population());
    return withFeatures(in, members, population(in, members, asOf, s), asOf, s, List.of());
  }

  /**
   * The entities a model scores as of the date, in the columns of {@link #table} plus {@code window_start}: those
   * that started free or on a trial and have not paid by the end of the day, whatever their age, with the features
   * computed as in training over an observation-days window. While the label horizon runs (the model's own
   * question: will it pay within the horizon after its first days?) that is the sign-up window, so far as it has
   * gone: a workspace younger than observation-days is scored on the days it has had. After the horizon, when
   * that question has been answered, it is the latest observation-days up to the end of the as-of day, with
   * {@code day} counted from the window's start: what the workspace does now. observation_date is the window's
   * end; the label is null.
   */
  public static Dataset<Row> buildForScoring(Inputs in, LocalDate asOf, ModelSettings s) {
    Dataset<Row> members = members(in, s.population());
    Column dayAfterAsOf = lit(Date.valueOf(asOf.plusDays(1)));
    Column firstWindowEnd = date_add(col("signup_date"), s.observationDays());
    Column horizonRuns = date_add(firstWindowEnd, s.labelHorizonDays()).gt(dayAfterAsOf);
    Dataset<Row> unpaid = entities(in, members, asOf, s)
        .where(col("plan_start").notEqual("paid").and(col(ConversionTraining.CONVERTED_AT.name()).isNull()))
        .withColumn(ConversionTraining.SIGNUP_DATE.name(), to_date(col("signup_at")))
        .withColumn(WINDOW_START, when(horizonRuns, col("signup_date"))
            .otherwise(date_add(dayAfterAsOf, -s.observationDays())))
        .withColumn(ConversionTraining.OBSERVATION_DATE.name(), when(horizonRuns, functions.least(firstWindowEnd, dayAfterAsOf))
            .otherwise(dayAfterAsOf))
        .withColumn(ConversionTraining.LABEL_DUE_DATE.name(), lit(null).cast("date"))
        .withColumn(ConversionTraining.LABEL.name(), lit(null).cast("int"))
        .drop("signup_at");
    return withFeatures(in, members, unpaid, asOf, s, List.of(col(WINDOW_START)));
  }

  /** The first day of an entity's observation window (its sign-up day in training). */
  public static final String WINDOW_START = "window_start";

  private static Dataset<Row> withFeatures(Inputs in, Dataset<Row> members, Dataset<Row> population, LocalDate asOf,
                                           ModelSettings s, List<Column> extra) {
    Dataset<Row> withAttributes = attributesAtObservation(population, members, in);
    Dataset<Row> window = observationWindow(withAttributes, members, in.daily(), s);
    List<Column> out = new ArrayList<>(table(s.features()).columns().stream().map(Col::col).toList());
    out.addAll(extra);
    return features(population, window, s.features()).withColumn(ConversionTraining.AS_OF.name(), lit(Date.valueOf(asOf)))
        .withColumn(ConversionTraining.ENTITY_TYPE.name(), lit(s.population().label()))
        .select(out.toArray(Column[]::new));
  }

  /** gold.conversion_training with the features' columns: double, or string for a categorical one. */
  public static TableDef table(List<FeatureDef> features) {
    List<Col> cols = new ArrayList<>();
    for (FeatureDef f : features) {
      cols.add(new Col(f.name(), f.isCategorical() ? DataTypes.StringType : DataTypes.DoubleType,
          f.kind().name().toLowerCase(Locale.ROOT) + " feature: " + f.sql()));
    }
    return ConversionTraining.withFeatures(cols);
  }

  /**
   * Fails, naming the feature, if a feature's SQL does not resolve against the window's columns, is not an
   * aggregate, or has a type its kind cannot take. Runs Spark's analysis only, on an empty frame.
   */
  public static void checkFeatures(SparkSession spark, List<FeatureDef> features) {
    Dataset<Row> empty = spark.createDataFrame(List.of(), WINDOW);
    for (FeatureDef f : features) {
      String key = ModelSettings.M + "features." + f.name();
      DataType type;
      try {
        type = empty.groupBy("entity_id").agg(expr(f.sql()).as(f.name())).schema().apply(f.name()).dataType();
      } catch (Exception e) {
        if (!(e instanceof AnalysisException) && !(e.getCause() instanceof AnalysisException)) {
          throw e;
        }
        throw new SettingsException(key + " cannot be computed from the observation window (" + FeatureDef.firstLine(e.getMessage())
            + "); it must be an aggregate over the columns " + List.of(WINDOW.fieldNames()) + ": " + f.sql(), e);
      }
      if (!f.isCategorical() && !(type instanceof NumericType) && !(type instanceof BooleanType)) {
        throw new SettingsException(key + " gives " + type.simpleString() + ", not a number; a text feature is kind = categorical");
      }
    }
  }

  /** workspace_id -> entity_id and the workspace's account, for the population's grain. */
  static Dataset<Row> members(Inputs in, Population population) {
    Dataset<Row> ws = in.workspaces().select(col("workspace_id"), col("created_at"))
        .join(in.identity().accountOfWorkspace("workspace_id", "account_id"), new String[] {"workspace_id"}, "left")
        .withColumn("account_id", coalesce(col("account_id"), concat(lit(IdentityRules.PERSONAL_PREFIX), col("workspace_id"))));
    return ws.withColumn("entity_id", population == Population.WORKSPACE ? col("workspace_id") : col("account_id"));
  }

  /**
   * Entities of the population with their sign-up, observation and label: entity_id, account_id, signup_date,
   * plan_start, observation_date, label_due_date, label, converted_at.
   */
  static Dataset<Row> population(Inputs in, Dataset<Row> members, LocalDate asOf, ModelSettings s) {
    Column dayAfterAsOf = lit(Date.valueOf(asOf.plusDays(1)));
    Column observation = col(ConversionTraining.OBSERVATION_DATE.name());
    Column due = col(ConversionTraining.LABEL_DUE_DATE.name());
    Column converted = col(ConversionTraining.CONVERTED_AT.name());
    return entities(in, members, asOf, s)
        .withColumn(ConversionTraining.SIGNUP_DATE.name(), to_date(col("signup_at")))
        .withColumn(ConversionTraining.OBSERVATION_DATE.name(), date_add(col("signup_date"), s.observationDays()))
        .withColumn(ConversionTraining.LABEL_DUE_DATE.name(), date_add(observation, s.labelHorizonDays()))
        .where(observation.leq(dayAfterAsOf).and(col("plan_start").notEqual("paid"))
            .and(converted.isNull().or(converted.geq(to_timestamp(observation)))))
        .withColumn(ConversionTraining.LABEL.name(), when(due.leq(dayAfterAsOf),
            when(converted.lt(to_timestamp(due)), lit(1)).otherwise(lit(0))))
        .drop("signup_at");
  }

  /**
   * Every entity created by the end of the as-of day: entity_id, signup_at, plan_start (free, trial or paid: how its
   * first workspace started: its first subscription event if it came within signup-plan-within of the sign-up, else
   * free), account_id, converted_at (its first paid subscription event up to then).
   */
  private static Dataset<Row> entities(Inputs in, Dataset<Row> members, LocalDate asOf, ModelSettings s) {
    Timestamp asOfEnd = AsOf.endOf(asOf);
    Column paying = col(Paying.PAYING);
    Column atSignup = col("event_ts").cast("long")
        .leq(col("created_at").cast("long").plus(s.signupPlanWithin().toSeconds()));
    Dataset<Row> subscriptions = Paying.withPaying(
            subscriptions(in.subscriptionEvents()).where(col("event_ts").lt(asOfEnd)), s.billing())
        .join(members.select(col("workspace_id"), col("created_at")), "workspace_id")
        .groupBy("workspace_id").agg(
            min_by(when(atSignup, when(col("status").equalTo("trialing"), lit("trial")).when(paying, lit("paid"))
                .otherwise(lit("free"))), struct(col("event_ts"), col("event_id"))).as("start"),
            min(when(paying, col("event_ts"))).as("first_paid_at"));
    return members.where(col("created_at").lt(asOfEnd))
        .join(subscriptions, new String[] {"workspace_id"}, "left")
        .groupBy("entity_id").agg(
            min(col("created_at")).as("signup_at"),
            min_by(coalesce(col("start"), lit("free")), struct(col("created_at"), col("workspace_id"))).as("plan_start"),
            min_by(col("account_id"), struct(col("created_at"), col("workspace_id"))).as("account_id"),
            min(col("first_paid_at")).as(ConversionTraining.CONVERTED_AT.name()));
  }

  /** Subscription events with their workspace. */
  private static Dataset<Row> subscriptions(Dataset<Row> subscriptionEvents) {
    return subscriptionEvents
        .withColumn("workspace_id", element_at(col("metadata"), "workspace_id"))
        .where(col("workspace_id").isNotNull());
  }

  /**
   * Adds the attributes as they stood at the observation point: is_personal; employees, industry and country
   * from the latest firmographics indexed before it; seats_bought in the latest subscription event before it.
   */
  static Dataset<Row> attributesAtObservation(Dataset<Row> population, Dataset<Row> members, Inputs in) {
    Column observedAt = to_timestamp(col("observation_date"));
    Dataset<Row> firmo = in.firmographics()
        .select(IdentityRules.registrableDomain(col("domain")).as("firmo_account"), col("indexed_at"),
            col("employees"), col("industry"), col("country"));
    Dataset<Row> fit = population.select(col("entity_id"), col("account_id"), observedAt.as("observed_at"))
        .join(firmo, col("firmo_account").equalTo(col("account_id")).and(col("indexed_at").lt(col("observed_at"))))
        .withColumn("pick", row_number().over(Window.partitionBy("entity_id").orderBy(col("indexed_at").desc())))
        .where(col("pick").equalTo(1))
        .select("entity_id", "employees", "industry", "country");
    Dataset<Row> latestSubscription = subscriptions(in.subscriptionEvents())
        .join(members.select("workspace_id", "entity_id"), "workspace_id")
        .join(population.select(col("entity_id"), observedAt.as("observed_at")), "entity_id")
        .where(col("event_ts").lt(col("observed_at")))
        .withColumn("pick", row_number().over(Window.partitionBy("workspace_id")
            .orderBy(col("event_ts").desc(), col("event_id").desc())))
        .where(col("pick").equalTo(1))
        .groupBy("entity_id").agg(sum(coalesce(col("quantity"), lit(0L))).as("seats_bought"));
    return population
        .withColumn("is_personal", col("account_id").startsWith(IdentityRules.PERSONAL_PREFIX))
        .join(fit, new String[] {"entity_id"}, "left")
        .join(latestSubscription, new String[] {"entity_id"}, "left");
  }

  /**
   * Every entity's rows of its observation window, in the columns of {@link #WINDOW}: the product rollup's rows of
   * its workspaces from the sign-up day (or window_start, when scoring) to the day before the observation point,
   * with its attributes. An entity without any has one row whose activity columns are null, so it still gets its
   * features.
   */
  static Dataset<Row> observationWindow(Dataset<Row> entities, Dataset<Row> members, Dataset<Row> daily, ModelSettings s) {
    Column start = List.of(entities.columns()).contains(WINDOW_START) ? col(WINDOW_START) : col("signup_date");
    Dataset<Row> rows = daily.where(col("workspace_id").isNotNull())
        .join(members.select("workspace_id", "entity_id"), "workspace_id")
        .join(entities.select(col("entity_id"), start.as("_start"), col("observation_date")), "entity_id")
        .where(col("event_date").geq(col("_start")).and(col("event_date").lt(col("observation_date"))))
        .select(col("entity_id"), col("event_date"), datediff(col("event_date"), col("_start")).as("day"),
            col("event_name"), col("feature"), col("events"), col("quantity"), col("user_id"),
            not(col("event_name").isin(s.passiveEvents().toArray())).as("is_active"));
    return entities.join(rows, new String[] {"entity_id"}, "left")
        .select(List.of(WINDOW.fieldNames()).stream().map(c -> col(c).cast(WINDOW.apply(c).dataType())).toArray(Column[]::new));
  }

  /** The entities (without their attributes: a feature may take an attribute's name) with one column per feature. */
  static Dataset<Row> features(Dataset<Row> entities, Dataset<Row> window, List<FeatureDef> features) {
    List<Column> aggs = new ArrayList<>();
    for (FeatureDef f : features) {
      aggs.add(expr(f.sql()).cast(f.isCategorical() ? DataTypes.StringType : DataTypes.DoubleType).as(f.name()));
    }
    Dataset<Row> computed = window.groupBy("entity_id")
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new));
    return entities.join(computed, new String[] {"entity_id"}, "left");
  }
}
