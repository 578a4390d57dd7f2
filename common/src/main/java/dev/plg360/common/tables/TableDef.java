package dev.plg360.common.tables;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A table as the catalog declares it: layer and name, grain, columns with comments, key, partitioning, the columns
 * its files are Z-ordered by and whether the change data feed is on. Every job reads and writes tables through these
 * definitions.
 */
public final class TableDef {
  /** Delta keeps file statistics on this many leading columns (delta.dataSkippingNumIndexedCols' default). */
  static final int DELTA_STATS_COLUMNS = 32;

  private final String layer;
  private final String name;
  private final String grain;
  private final List<Col> columns;
  private final List<Col> key;
  private final List<Col> partitionBy;
  private final List<Col> zorderBy;
  private final boolean changeDataFeed;
  private final Optional<String> personalDataInText;
  private final boolean runLog;

  private TableDef(Builder b) {
    this.layer = b.layer;
    this.name = b.name;
    this.grain = b.grain;
    this.columns = List.copyOf(b.columns);
    this.key = List.copyOf(b.key);
    this.partitionBy = List.copyOf(b.partitionBy);
    this.zorderBy = List.copyOf(b.zorderBy);
    this.changeDataFeed = b.changeDataFeed;
    this.personalDataInText = Optional.ofNullable(b.personalDataInText);
    this.runLog = b.runLog;
    for (Col c : key) {
      requireDeclared(c);
    }
    for (Col c : partitionBy) {
      requireDeclared(c);
    }
    for (Col c : zorderBy) {
      requireZorderable(c);
    }
  }

  public static Builder table(String layer, String name) {
    return new Builder(layer, name);
  }

  private void requireDeclared(Col c) {
    if (!columns.contains(c)) {
      throw new IllegalStateException(qualifiedName() + ": " + c.name() + " is used but not declared");
    }
  }

  /**
   * Delta refuses to Z-order by a partition column, and by a column it keeps no statistics for: by default it keeps
   * them for the first {@value #DELTA_STATS_COLUMNS} columns only (delta.dataSkippingNumIndexedCols).
   */
  private void requireZorderable(Col c) {
    requireDeclared(c);
    if (partitionBy.contains(c)) {
      throw new IllegalStateException(qualifiedName() + ": " + c.name() + " is a partition column, Delta cannot Z-order by it");
    }
    if (columns.indexOf(c) >= DELTA_STATS_COLUMNS) {
      throw new IllegalStateException(qualifiedName() + ": " + c.name() + " is not among the first " + DELTA_STATS_COLUMNS
          + " columns, which Delta keeps statistics for: Z-ordering by it would skip no file");
    }
  }

  public String layer() {
    return layer;
  }

  public String name() {
    return name;
  }

  /** The name Spark SQL knows it by, e.g. {@code bronze.product_events}. */
  public String qualifiedName() {
    return layer + "." + name;
  }

  public String grain() {
    return grain;
  }

  public List<Col> columns() {
    return columns;
  }

  public List<Col> key() {
    return key;
  }

  public List<Col> partitionBy() {
    return partitionBy;
  }

  /**
   * The columns BI tools filter by, which {@code plg360 maintain} Z-orders the table's files by (OPTIMIZE ... ZORDER BY)
   * so that a query on one value reads few files; empty: compacted only.
   */
  public List<Col> zorderBy() {
    return zorderBy;
  }

  public boolean changeDataFeed() {
    return changeDataFeed;
  }

  /**
   * Where the table holds personal data that masking column by column cannot reach (inside raw text, maps or
   * columns mixing people with other ids); empty when every personal value is in a column marked personal. Such a
   * table is not shown to BI tools when masking is on.
   */
  public Optional<String> personalDataInText() {
    return personalDataInText;
  }

  /**
   * The table records runs rather than data (ops.job_runs): every row is about one run, so two runs over the same data
   * always leave it different, and comparisons of two runs' lakes leave the whole table out.
   */
  public boolean runLog() {
    return runLog;
  }

  public StructType schema() {
    return new StructType(columns.stream().map(Col::field).toArray(StructField[]::new));
  }

  public Optional<Col> column(String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
  }

  public List<String> columnNames() {
    return columns.stream().map(Col::name).toList();
  }

  @Override
  public String toString() {
    return qualifiedName();
  }

  /** Declares a table; see {@link Tables}. */
  public static final class Builder {
    private final String layer;
    private final String name;
    private String grain = "";
    private final List<Col> columns = new ArrayList<>();
    private final List<Col> key = new ArrayList<>();
    private final List<Col> partitionBy = new ArrayList<>();
    private final List<Col> zorderBy = new ArrayList<>();
    private boolean changeDataFeed;
    private String personalDataInText;
    private boolean runLog;

    private Builder(String layer, String name) {
      this.layer = layer;
      this.name = name;
    }

    public Builder grain(String text) {
      this.grain = text;
      return this;
    }

    public Builder columns(Col... cols) {
      columns.addAll(List.of(cols));
      return this;
    }

    public Builder columns(List<Col> cols) {
      columns.addAll(cols);
      return this;
    }

    public Builder key(Col... cols) {
      key.addAll(List.of(cols));
      return this;
    }

    public Builder partitionBy(Col... cols) {
      partitionBy.addAll(List.of(cols));
      return this;
    }

    /** The columns to Z-order the files by; see {@link TableDef#zorderBy()}. Never a partition column. */
    public Builder zorderBy(Col... cols) {
      zorderBy.addAll(List.of(cols));
      return this;
    }

    /** Says where personal data sits that no column-by-column masking reaches; see {@link #personalDataInText()}. */
    public Builder personalDataInText(String where) {
      this.personalDataInText = where;
      return this;
    }

    /** Marks a table that records runs; see {@link TableDef#runLog()}. */
    public Builder runLog() {
      this.runLog = true;
      return this;
    }

    public Builder changeDataFeed() {
      this.changeDataFeed = true;
      return this;
    }

    public TableDef build() {
      return new TableDef(this);
    }
  }
}
