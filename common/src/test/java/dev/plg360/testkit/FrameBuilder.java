package dev.plg360.testkit;

import dev.plg360.common.tables.Col;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Rows of one small frame for a test, each giving only the columns it cares about; the others are null. */
public final class FrameBuilder {
  private final SparkSession spark;
  private final StructType schema;
  private final List<Row> rows = new ArrayList<>();

  FrameBuilder(SparkSession spark, StructType schema) {
    this.spark = spark;
    this.schema = schema;
  }

  /** Column, value, column, value, ...: a column is a catalog {@link Col} or a column name. */
  public FrameBuilder row(Object... colsAndValues) {
    if (colsAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("columns and values come in pairs");
    }
    Object[] values = new Object[schema.size()];
    for (int i = 0; i < colsAndValues.length; i += 2) {
      Object c = colsAndValues[i];
      String name = c instanceof Col col ? col.name() : (String) c;
      values[schema.fieldIndex(name)] = colsAndValues[i + 1];
    }
    rows.add(RowFactory.create(values));
    return this;
  }

  public Dataset<Row> build() {
    return spark.createDataFrame(rows, schema);
  }
}
