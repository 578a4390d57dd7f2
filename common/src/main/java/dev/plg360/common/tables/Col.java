package dev.plg360.common.tables;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/** A column declared once in the catalog: its name, type and the comment BI tools show. */
public record Col(String name, DataType type, String comment) {

  public Column col() {
    return functions.col(name);
  }

  /** The column of a named side of a join or MERGE ({@code t.id}). */
  public Column of(String alias) {
    return functions.col(alias + "." + name);
  }

  public StructField field() {
    Metadata meta = new MetadataBuilder().putString("comment", comment).build();
    return new StructField(name, type, true, meta);
  }

  @Override
  public String toString() {
    return name;
  }
}
