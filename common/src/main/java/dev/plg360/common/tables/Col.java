package dev.plg360.common.tables;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * A column declared once in the catalog: its name, type, the comment BI tools show, whether it holds personal
 * data (an email, a person's name, an id made of an email), which BI tools see masked when masking is on, and whether
 * it is a run stamp.
 */
public record Col(String name, DataType type, String comment, boolean personalData, boolean runStamped) {

  public Col(String name, DataType type, String comment) {
    this(name, type, comment, false, false);
  }

  /** This column, marked as holding personal data. */
  public Col personal() {
    return new Col(name, type, comment, true, runStamped);
  }

  /**
   * This column, marked as a run stamp: the run that wrote the row sets it (its id, its start, the clock, the id Delta
   * gave a table when this lake made it) instead of deriving it from the data, so two runs over the same data write
   * different values. Comparisons of two runs' lakes leave it out; its comment says why it differs.
   */
  public Col runStamp() {
    return new Col(name, type, comment, personalData, true);
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
