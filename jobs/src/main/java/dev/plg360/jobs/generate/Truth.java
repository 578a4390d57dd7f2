package dev.plg360.jobs.generate;

import java.time.LocalDate;
import java.util.List;

/**
 * The ground truth written beside the landing zone (never read by the pipeline): what was planted and where.
 * Each list is a CSV table under {@code truth/<table>/<table>-p<partition>.csv}; see docs/GENERATOR.md.
 */
final class Truth {
  private Truth() {}

  /** The ingest reason of a defect that ingest accepts and a later job (resolve) must catch. */
  static final String ACCEPTED_BY_INGEST = "accepted-by-ingest";

  static final List<String> WORKSPACES = List.of("workspace_id", "company_domain", "is_personal", "signup_at",
      "signup_date", "plan_start", "observation_point", "true_probability", "converted", "converted_at",
      "label_complete", "active_days", "distinct_features", "invites", "integration_connected", "pricing_views",
      "decoy_uses", "employees", "industry", "plan_at_end", "paid_at_end", "users");
  static final List<String> USERS = List.of("user_id", "email", "company_domain", "is_personal", "workspace_ids");
  static final List<String> COMPANIES = List.of("domain", "name", "employees", "industry", "country", "in_clearbit",
      "workspaces");
  static final List<String> DEFECTS = List.of("kind", "source", "file", "line", "expected_reason", "detail");
  static final List<String> SURGES = List.of("workspace_id", "start_date", "factor");
  static final List<String> INVITE_SPIKES = List.of("workspace_id", "user_id", "day", "count");
  static final List<String> NEAR_CAP = List.of("workspace_id", "plan", "metric", "usage", "cap");

  record Defect(String kind, String source, String file, long line, String expectedReason, String detail) {
    String[] row() {
      return new String[] {kind, source, file, String.valueOf(line), expectedReason, detail};
    }

    boolean rejectedByIngest() {
      return !expectedReason.equals(ACCEPTED_BY_INGEST);
    }
  }

  record Surge(String workspaceId, LocalDate start, double factor) {
    String[] row() {
      return new String[] {workspaceId, start.toString(), String.valueOf(factor)};
    }
  }

  record InviteSpike(String workspaceId, String userId, LocalDate day, int count) {
    String[] row() {
      return new String[] {workspaceId, userId, day.toString(), String.valueOf(count)};
    }
  }

  record NearCap(String workspaceId, String plan, String metric, long usage, long cap) {
    String[] row() {
      return new String[] {workspaceId, plan, metric, String.valueOf(usage), String.valueOf(cap)};
    }
  }
}
