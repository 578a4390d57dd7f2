package dev.plg360.common.tables;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * A column declared once in the catalog: its name, type, the comment BI tools show, and whether it holds personal
 * data (an email, a person's name, an id made of an email), which BI tools see masked when masking is on.
 */
public record Col(String name, DataType type, String comment, boolean personalData) {

  public Col(String name, DataType type, String comment) {
    this(name, type, comment, false);
  }

  /** This column, marked as holding personal data. */
  public Col personal() {
    return new Col(name, type, comment, true);
  }

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
