package dev.plg360.jobs.generate;

import dev.plg360.jobs.generate.World.Company;
import dev.plg360.jobs.generate.World.Person;
import dev.plg360.jobs.generate.World.Workspace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Writes one partition's truth tables as CSV under {@code truth/<table>/<table>-p<partition>.csv}. */
final class TruthFiles {
  private TruthFiles() {}

  static void write(FileSystem fs, Path truth, int partition, Simulator sim, PartitionFiles files) {
    List<String[]> ws = new ArrayList<>();
    for (Workspace w : sim.workspaces) {
      ws.add(workspaceRow(sim, w));
    }
    List<String[]> users = new ArrayList<>();
    for (Person p : sim.people) {
      if (p.userId != null) {
        users.add(new String[] {p.userId, p.email, p.company == null ? null : p.company.domain,
            String.valueOf(p.company == null), String.join(";", p.workspaceIds)});
      }
    }
    List<String[]> companies = new ArrayList<>();
    for (Company c : sim.companies) {
      if (!c.personal) {
        companies.add(new String[] {c.domain, c.name, String.valueOf(c.employees), c.industry, c.country,
            String.valueOf(c.inClearbit), String.valueOf(c.workspaces.size())});
      }
    }
    table(fs, truth, "workspaces", partition, Truth.WORKSPACES, ws);
    table(fs, truth, "users", partition, Truth.USERS, users);
    table(fs, truth, "companies", partition, Truth.COMPANIES, companies);
    table(fs, truth, "defects", partition, Truth.DEFECTS, files.defects.stream().map(Truth.Defect::row).toList());
    table(fs, truth, "surges", partition, Truth.SURGES, sim.surges.stream().map(Truth.Surge::row).toList());
    table(fs, truth, "invite_spikes", partition, Truth.INVITE_SPIKES,
        sim.inviteSpikes.stream().map(Truth.InviteSpike::row).toList());
    table(fs, truth, "near_cap", partition, Truth.NEAR_CAP, sim.nearCaps.stream().map(Truth.NearCap::row).toList());
  }

  private static String[] workspaceRow(Simulator sim, Workspace w) {
    PlantedModel.Inputs in = sim.inputs(w);
    boolean drawn = w.probability != null;
    return new String[] {
        w.id, w.company.domain, String.valueOf(w.company.personal), Formats.segment(w.signupAt), w.signupDay.toString(),
        w.trial ? "trial" : "free", Formats.segment(sim.observationPoint(w)),
        drawn ? String.format(java.util.Locale.ROOT, "%.6f", w.probability) : null,
        drawn ? String.valueOf(w.converted) : null,
        w.convertedAt == null ? null : Formats.segment(w.convertedAt),
        String.valueOf(drawn && sim.labelComplete(w)),
        String.valueOf(in.activeDays()), String.valueOf(in.distinctFeatures()), String.valueOf(in.invites()),
        String.valueOf(in.integrationConnected()), String.valueOf(in.pricingViews()), String.valueOf(in.decoyUses()),
        w.company.personal ? null : String.valueOf(w.company.employees), w.company.industry,
        w.plan == null ? null : w.plan.name(), String.valueOf(w.paid), String.valueOf(w.users.size())};
  }

  static void table(FileSystem fs, Path truth, String name, int partition, List<String> header, List<String[]> rows) {
    CsvText csv = new CsvText();
    Path dst = new Path(truth, name + "/" + name + "-p" + String.format("%03d", partition) + ".csv");
    Path tmp = new Path(dst.getParent(), "." + dst.getName() + ".inprogress");
    try {
      try (Writer out = new BufferedWriter(new OutputStreamWriter(fs.create(tmp, true), StandardCharsets.UTF_8))) {
        out.write(csv.format(header.toArray(String[]::new)));
        out.write('\n');
        for (String[] r : rows) {
          out.write(csv.format(r));
          out.write('\n');
        }
      }
      if (!fs.rename(tmp, dst)) {
        throw new IOException("rename failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dst, e);
    }
  }
}
