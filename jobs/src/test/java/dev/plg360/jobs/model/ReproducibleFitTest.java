package dev.plg360.jobs.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.ConversionPipeline.Params;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The same training rows give the same regression, bit for bit: what lets a killed training run, run again, leave
 * the model a clean run leaves, and an earlier snapshot give that day's model exactly. MLlib would use a native BLAS
 * found on the machine (OpenBLAS, which numpy brings on Debian), whose sums depend on threads and memory alignment;
 * plg360's sessions make it use the Java BLAS.
 */
class ReproducibleFitTest extends SparkTestBase {

  @Test
  void mllibUsesTheJavaBlas() {
    spark();
    assertEquals(SparkSessions.NO_NATIVE_BLAS, System.getProperty(SparkSessions.NATIVE_BLAS),
        "set by plg360's session settings");
    String blas = dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getName();
    assertFalse(blas.contains("JNI"), "MLlib's BLAS is a Java one, not a native library: " + blas);
    String executors = spark().sparkContext().getConf().get("spark.executor.extraJavaOptions", "");
    assertTrue(executors.contains("-D" + SparkSessions.NATIVE_BLAS + "=" + SparkSessions.NO_NATIVE_BLAS),
        "and so are the executors': " + executors);
  }

  @Test
  void theSameRowsGiveTheSameCoefficientsEveryFit() {
    Dataset<Row> rows = nearlySeparable(400, 24).coalesce(1).cache();
    double[] first = null;
    for (int fit = 0; fit < 4; fit++) {
      // Unregularised, as the grid's first point: small differences in a sum grow most there.
      LogisticRegressionModel m = ConversionPipeline.regression(new Params(0, 0), 100, false).fit(rows);
      double[] coefficients = append(m.coefficients().toArray(), m.intercept());
      if (first == null) {
        first = coefficients;
      } else {
        assertArrayEquals(first, coefficients, 0.0,
            "fit " + fit + " of the same rows gives the first fit's coefficients");
      }
    }
    rows.unpersist();
  }

  /** Dense features, a label that a weighted sum of them nearly decides: an ill-conditioned fit. */
  private Dataset<Row> nearlySeparable(int n, int features) {
    Random rnd = new Random(42);
    double[] truth = new double[features];
    for (int j = 0; j < features; j++) {
      truth[j] = rnd.nextGaussian() * 3;
    }
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = new double[features];
      double margin = 0;
      for (int j = 0; j < features; j++) {
        x[j] = rnd.nextGaussian();
        margin += truth[j] * x[j];
      }
      double label = rnd.nextDouble() < 1 / (1 + Math.exp(-margin)) ? 1.0 : 0.0;
      out.add(RowFactory.create(label, Vectors.dense(x)));
    }
    StructType schema = new StructType()
        .add(ConversionPipeline.LABEL, DataTypes.DoubleType)
        .add(ConversionPipeline.SCALED, new VectorUDT());
    return spark().createDataFrame(out, schema);
  }

  private static double[] append(double[] values, double last) {
    double[] out = Arrays.copyOf(values, values.length + 1);
    out[values.length] = last;
    return out;
  }
}
