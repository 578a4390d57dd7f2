package dev.plg360.jobs.generate;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Salesforce objects as their Data Export writes them: the exact columns of docs/LANDING.md. */
final class Salesforce {
  private Salesforce() {}

  static final List<String> ACCOUNT = List.of("Id", "Name", "Website", "Industry", "NumberOfEmployees",
      "BillingCountry", "Type", "OwnerId", "CreatedDate", "LastModifiedDate", "IsDeleted");
  static final List<String> CONTACT = List.of("Id", "AccountId", "FirstName", "LastName", "Email", "Title", "OwnerId",
      "CreatedDate", "LastModifiedDate", "IsDeleted");
  static final List<String> LEAD = List.of("Id", "FirstName", "LastName", "Email", "Company", "Website", "Title",
      "LeadSource", "Status", "OwnerId", "IsConverted", "ConvertedAccountId", "ConvertedContactId", "CreatedDate",
      "LastModifiedDate", "IsDeleted");
  static final List<String> OPPORTUNITY = List.of("Id", "AccountId", "Name", "StageName", "Amount", "CloseDate",
      "IsClosed", "IsWon", "Type", "OwnerId", "CreatedDate", "LastModifiedDate", "IsDeleted");
  static final List<String> TASK = List.of("Id", "WhoId", "WhatId", "AccountId", "Subject", "Type", "Status",
      "ActivityDate", "OwnerId", "CreatedDate", "LastModifiedDate", "IsDeleted");

  /** Columns a snapshot export has no use for: it is of current values, its file's time their version. */
  private static final Set<String> VERSION_COLUMNS = Set.of("LastModifiedDate", "IsDeleted");
  private static final Set<String> DATETIMES = Set.of("CreatedDate", "LastModifiedDate");
  private static final Set<String> BOOLEANS = Set.of("IsDeleted", "IsConverted", "IsClosed", "IsWon");

  static List<String> snapshotColumns(List<String> columns) {
    return columns.stream().filter(c -> !VERSION_COLUMNS.contains(c)).toList();
  }

  /** One record's current field values; each export of it is a version with its LastModifiedDate. */
  static final class Record {
    final Feed feed;
    final Map<String, String> fields = new LinkedHashMap<>();
    Instant lastModified;

    Record(Feed feed) {
      this.feed = feed;
    }

    String id() {
      return fields.get("Id");
    }

    Record set(String column, Object value) {
      if (!feed.columns().contains(column)) {
        throw new IllegalArgumentException(feed + " has no column " + column);
      }
      fields.put(column, value == null ? null : String.valueOf(value));
      return this;
    }

    String get(String column) {
      return fields.get(column);
    }

    /** Stamps a new version: LastModifiedDate strictly after the previous one, so (Id, LastModifiedDate) stays a key. */
    Record touch(Instant at) {
      Instant t = lastModified != null && !at.isAfter(lastModified) ? lastModified.plusSeconds(1) : at;
      lastModified = t;
      fields.put("LastModifiedDate", Formats.salesforceDateTime(t));
      return this;
    }

    /** The record as a Data Export file writes it: every column, ISO times in Z, booleans in lower case. */
    String[] row() {
      return feed.columns().stream().map(fields::get).toArray(String[]::new);
    }

    /** The record as a report or Data Loader snapshot writes it: no version columns, TRUE/FALSE, +0000 offsets. */
    String[] snapshotRow() {
      return snapshotColumns(feed.columns()).stream().map(c -> {
        String v = fields.get(c);
        if (v == null) {
          return null;
        }
        if (BOOLEANS.contains(c)) {
          return v.toUpperCase(Locale.ROOT);
        }
        return DATETIMES.contains(c) && v.endsWith("Z") ? v.substring(0, v.length() - 1) + "+0000" : v;
      }).toArray(String[]::new);
    }
  }
}
