package dev.plg360.jobs;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.run.Job;
import dev.plg360.jobs.model.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train the conversion model and register it as a new version under <lake.root>/models/conversion; "
        + "it becomes current if its held-out AUC is not worse than the current model's (docs/MODEL.md).",
        "By default it builds gold.conversion_training as of the date first and trains on that version."})
final class TrainCommand extends JobCommand {

  @Option(names = "--training-version", paramLabel = "N",
      description = "Train on this Delta version of gold.conversion_training (time travel) instead of building it.")
  Long trainingVersion;

  @Option(names = "--table", paramLabel = "NAME",
      description = "Train on any table instead (e.g. a data scientist's own feature table): needs --features or --feature-set.")
  String table;

  @Option(names = "--id-column", defaultValue = "entity_id", description = "With --table: the row id column. Default: ${DEFAULT-VALUE}.")
  String idColumn;

  @Option(names = "--date-column", defaultValue = "signup_date",
      description = "With --table: the date the time-based split orders by. Default: ${DEFAULT-VALUE}.")
  String dateColumn;

  @Option(names = "--label", defaultValue = "label", description = "With --table: the 0/1 label column. Default: ${DEFAULT-VALUE}.")
  String label;

  @Option(names = "--features", split = ",", paramLabel = "NAME[:KIND]",
      description = "With --table: the feature columns, each optionally with its kind (count, numeric, binary, categorical).")
  List<String> features;

  @Option(names = "--feature-set", paramLabel = "FILE",
      description = "A HOCON file with a features { ... } block, as plg360.model.features: replaces the configured features.")
  Path featureSet;

  @Option(names = "--force", description = "Make the new version current even if it is worse than the current one.")
  boolean force;

  @Override
  protected Job job() {
    if (features != null && featureSet != null) {
      throw new SettingsException("give --features or --feature-set, not both");
    }
    if (table != null && trainingVersion != null) {
      throw new SettingsException("give --table or --training-version, not both");
    }
    if (table != null && features == null && featureSet == null) {
      throw new SettingsException("--table needs the features to train on: --features or --feature-set");
    }
    if (table == null && features != null) {
      throw new SettingsException("--features names columns of a --table; for the training set use --feature-set");
    }
    Optional<List<FeatureDef>> defs = Optional.empty();
    if (features != null) {
      defs = Optional.of(features.stream().map(FeatureDef::ofColumn).toList());
    } else if (featureSet != null) {
      if (!Files.isRegularFile(featureSet)) {
        throw new SettingsException("--feature-set " + featureSet + ": no such file");
      }
      try {
        defs = Optional.of(FeatureDef.parse(ConfigFactory.parseFile(featureSet.toFile()).resolve().getConfig("features"),
            "--feature-set " + featureSet + ": features", table == null));
      } catch (ConfigException e) {
        throw new SettingsException("--feature-set " + featureSet + ": " + e.getMessage(), e);
      }
    }
    return new TrainJob(new TrainJob.Request(trainingVersion == null ? OptionalLong.empty() : OptionalLong.of(trainingVersion),
        Optional.ofNullable(table), idColumn, dateColumn, label, defs, force));
  }
}
