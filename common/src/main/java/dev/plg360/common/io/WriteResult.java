package dev.plg360.common.io;

import dev.plg360.common.tables.TableDef;

/** What one write did to a table: the Delta version it left and the rows it changed (from the commit's metrics). */
public record WriteResult(TableDef table, long version, boolean committed, long inserted, long updated, long deleted) {

  public long changed() {
    return inserted + updated + deleted;
  }

  static WriteResult nothing(TableDef table, long version) {
    return new WriteResult(table, version, false, 0, 0, 0);
  }
}
