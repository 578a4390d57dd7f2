package dev.plg360.common.tables;

import static dev.plg360.common.tables.Tables.c;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The conversion model's part of the catalog: the point-in-time training set, and every trained version's
 * metrics, coefficients, calibration and held-out predictions, for BI tools and error analysis.
 */
public final class ModelTables {
  private ModelTables() {}

  /** A reason code: a feature, its value as text and its contribution to the log-odds against the average entity. */
  public static final DataType REASONS = DataTypes.createArrayType(new org.apache.spark.sql.types.StructType()
      .add("feature", StringType).add("value", StringType).add("contribution", DoubleType));

  /**
   * One row per workspace (or account) of the population whose observation point has passed: the label and the
   * features known at the observation point. The feature columns are the configured ones (plg360.model.features),
   * after the columns declared here; each carries its SQL as its comment.
   */
  public static final class ConversionTraining {
    private ConversionTraining() {}

    public static final Col AS_OF = c("as_of", DateType, "As-of date of the build: labels use data up to the end of this UTC day");
    public static final Col ENTITY_TYPE = c("entity_type", StringType, "workspace or account (plg360.model.population)");
    public static final Col ENTITY_ID = c("entity_id", StringType, "The workspace id or the account id");
    public static final Col ACCOUNT_ID = c("account_id", StringType, "Account of the entity on the as-of date");
    public static final Col SIGNUP_DATE = c("signup_date", DateType, "UTC day of the first event: the sign-up cohort");
    public static final Col PLAN_START = c("plan_start", StringType, "free or trial: how the entity started");
    public static final Col OBSERVATION_DATE = c("observation_date", DateType,
        "Sign-up day + observation-days: features use only days before it");
    public static final Col LABEL_DUE_DATE = c("label_due_date", DateType,
        "observation_date + label-horizon-days: the label is known once the as-of day is on or after the day before it");
    public static final Col LABEL = c("label", IntegerType,
        "1: paid within the horizon after the observation point; 0: did not; null: the horizon has not passed");
    public static final Col CONVERTED_AT = c("converted_at", TimestampType,
        "First paid subscription event up to the as-of date, UTC (an outcome: never a feature)");

    /** The columns every training set has, before its features. */
    public static final List<Col> BASE = List.of(AS_OF, ENTITY_TYPE, ENTITY_ID, ACCOUNT_ID, SIGNUP_DATE, PLAN_START,
        OBSERVATION_DATE, LABEL_DUE_DATE, LABEL, CONVERTED_AT);

    /** Columns that hold what happened after the observation point: no feature may be one of them. */
    public static final List<Col> OUTCOMES = List.of(LABEL_DUE_DATE, LABEL, CONVERTED_AT);

    /** The table without features, as the catalog lists it. */
    public static final TableDef TABLE = withFeatures(List.of());

    /** The table with the given feature columns after the base ones. */
    public static TableDef withFeatures(List<Col> features) {
      List<Col> cols = new ArrayList<>(BASE);
      cols.addAll(features);
      return TableDef.table("gold", "conversion_training")
          .grain("one row per entity of the population whose observation point has passed, as of the build's date")
          .columns(cols)
          .key(ENTITY_ID)
          .build();
    }
  }

  public static final class Versions {
    private Versions() {}

    public static final Col VERSION = c("version", StringType, "Model version, e.g. v0003 (models/conversion/<version>)");
    public static final Col TRAINED_AT = c("trained_at", TimestampType,
        "When the train run started, UTC; each run stamps its own start").runStamp();
    public static final Col AS_OF = c("as_of", DateType, "As-of date of the train run");
    public static final Col RUN_ID = c("run_id", StringType,
        "Train run (ops.job_runs); each run has its own id").runStamp();
    public static final Col TRAINING_TABLE = c("training_table", StringType, "Table trained on");
    public static final Col TRAINING_VERSION = c("training_version", LongType, "Its Delta version (time travel)");
    public static final Col TRAIN_ROWS = c("train_rows", LongType, "Rows the final model was fitted on (older cohorts)");
    public static final Col TEST_ROWS = c("test_rows", LongType, "Rows of the held-out (newest) cohort");
    public static final Col TEST_FROM = c("test_from", DateType, "First sign-up day of the held-out cohort");
    public static final Col TEST_TO = c("test_to", DateType, "Last sign-up day of the held-out cohort");
    public static final Col REG_PARAM = c("reg_param", DoubleType, "Regularisation strength chosen on the validation cohort");
    public static final Col ELASTIC_NET_PARAM = c("elastic_net_param", DoubleType, "L1 share chosen (0: ridge, 1: lasso)");
    public static final Col AUC_ROC = c("auc_roc", DoubleType, "AUC-ROC on the held-out cohort");
    public static final Col AUC_PR = c("auc_pr", DoubleType, "AUC-PR on the held-out cohort");
    public static final Col LOG_LOSS = c("log_loss", DoubleType, "Log loss on the held-out cohort");
    public static final Col BRIER = c("brier", DoubleType, "Brier score (mean squared error of the probability)");
    public static final Col ECE = c("ece", DoubleType, "Expected calibration error over the probability deciles");
    public static final Col BASE_RATE = c("base_rate", DoubleType, "Conversion rate of the held-out cohort");
    public static final Col TOP_DECILE_RATE = c("top_decile_rate", DoubleType, "Conversion rate of its top probability decile");
    public static final Col TOP_DECILE_LIFT = c("top_decile_lift", DoubleType, "top_decile_rate / base_rate");
    public static final Col CHAMPION_VERSION = c("champion_version", StringType, "The current version it was compared with; null for the first");
    public static final Col CHAMPION_AUC_ROC = c("champion_auc_roc", DoubleType, "That version's AUC-ROC in the comparison");
    public static final Col PROMOTED = c("promoted", BooleanType, "It became the current version");
    public static final Col DECISION = c("decision", StringType, "Why it was or was not promoted");

    public static final TableDef TABLE = TableDef.table("gold", "model_versions")
        .grain("one row per trained conversion model version")
        .columns(VERSION, TRAINED_AT, AS_OF, RUN_ID, TRAINING_TABLE, TRAINING_VERSION, TRAIN_ROWS, TEST_ROWS, TEST_FROM,
            TEST_TO, REG_PARAM, ELASTIC_NET_PARAM, AUC_ROC, AUC_PR, LOG_LOSS, BRIER, ECE, BASE_RATE, TOP_DECILE_RATE,
            TOP_DECILE_LIFT, CHAMPION_VERSION, CHAMPION_AUC_ROC, PROMOTED, DECISION)
        .key(VERSION)
        .build();
  }

  public static final class Coefficients {
    private Coefficients() {}

    public static final Col VERSION = Versions.VERSION;
    public static final Col TERM = c("term", StringType,
        "A model input: a feature (log1p(x) for counts), 'feature = value' for a category, or (intercept)");
    public static final Col FEATURE = c("feature", StringType, "The configured feature it comes from");
    public static final Col COEFFICIENT = c("coefficient", DoubleType, "Log-odds per standard deviation of the term");
    public static final Col ODDS_RATIO = c("odds_ratio", DoubleType,
        "exp(coefficient): how the odds of paying multiply per standard deviation; 1 is no effect");
    public static final Col DIRECTION = c("direction", StringType, "more likely, less likely, or none (coefficient 0)");
    public static final Col RANK = c("rank", IntegerType, "1 for the strongest effect (largest |coefficient|)");

    public static final TableDef TABLE = TableDef.table("gold", "model_coefficients")
        .grain("one row per model version and term")
        .columns(VERSION, RANK, TERM, FEATURE, COEFFICIENT, ODDS_RATIO, DIRECTION)
        .key(VERSION, TERM)
        .build();
  }

  public static final class Calibration {
    private Calibration() {}

    public static final Col VERSION = Versions.VERSION;
    public static final Col DECILE = c("decile", IntegerType, "1: the tenth with the highest predicted probability");
    public static final Col ROWS = c("rows", LongType, "Held-out rows in the decile");
    public static final Col CONVERTED = c("converted", LongType, "Of them, how many paid");
    public static final Col MEAN_PREDICTED = c("mean_predicted", DoubleType, "Mean predicted probability");
    public static final Col OBSERVED_RATE = c("observed_rate", DoubleType, "converted / rows");
    public static final Col LIFT = c("lift", DoubleType, "observed_rate / the held-out conversion rate");

    public static final TableDef TABLE = TableDef.table("gold", "model_calibration")
        .grain("one row per model version and decile of the held-out cohort")
        .columns(VERSION, DECILE, ROWS, CONVERTED, MEAN_PREDICTED, OBSERVED_RATE, LIFT)
        .key(VERSION, DECILE)
        .build();
  }

  public static final class Predictions {
    private Predictions() {}

    public static final Col VERSION = Versions.VERSION;
    public static final Col ENTITY_TYPE = ConversionTraining.ENTITY_TYPE;
    public static final Col ENTITY_ID = ConversionTraining.ENTITY_ID;
    public static final Col SIGNUP_DATE = ConversionTraining.SIGNUP_DATE;
    public static final Col LABEL = c("label", IntegerType, "1: paid within the horizon; 0: did not");
    public static final Col PROBABILITY = c("probability", DoubleType, "Predicted probability of paying within the horizon");
    public static final Col DECILE = Calibration.DECILE;
    public static final Col REASONS_UP = c("reasons_up", REASONS, "Features that raise the probability most, strongest first");
    public static final Col REASONS_DOWN = c("reasons_down", REASONS, "Features that lower it most, strongest first");

    public static final TableDef TABLE = TableDef.table("gold", "model_predictions")
        .grain("one row per model version and held-out entity")
        .columns(VERSION, ENTITY_TYPE, ENTITY_ID, SIGNUP_DATE, LABEL, PROBABILITY, DECILE, REASONS_UP, REASONS_DOWN)
        .key(VERSION, ENTITY_ID)
        .build();
  }
}
