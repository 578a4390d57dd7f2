package dev.plg360.common.io;

import java.util.OptionalLong;

/**
 * What OPTIMIZE or VACUUM did to a table's data files, rows unchanged: the commit it left ({@link WriteResult#committed()}
 * false when there was nothing to do), the files written and the files taken out (OPTIMIZE: replaced; VACUUM: deleted
 * from storage, known only where Delta records its vacuums in the table's history).
 */
public record FileChanges(WriteResult write, long added, OptionalLong removed) {}
