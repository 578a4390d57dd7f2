package dev.plg360.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job packages are siblings: one job's code reaches another's only through {@code dev.plg360.common}, so a job
 * can change, or run, without the others. The orchestrators (the command line in {@code dev.plg360.jobs}, the chains
 * in {@code ops}) use the jobs, never the other way round. Read from plg360's compiled classes, tests left out.
 */
class PackageStructureTest {

  /** The packages under dev.plg360.jobs that hold a job and what it alone uses. */
  private static final Set<String> JOBS =
      Set.of("activate", "c360", "generate", "ingest", "model", "report", "resolve", "score", "serve");
  /** The packages under dev.plg360.jobs that run jobs: they may use any job package. */
  private static final Set<String> ORCHESTRATORS = Set.of("ops");

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    // The test jar of common is on this class path as a jar, where the predefined option does not see it is tests.
    ImportOption noTestJars = location -> !location.contains("-tests.jar");
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(noTestJars)
        .importPackages("dev.plg360");
  }

  /** The imported classes hold every method and call of plg360's code: not kept past this class. */
  @AfterAll
  static void forgetTheClasses() {
    classes = null;
  }

  @Test
  void everyPackageUnderJobsIsAJobOrAnOrchestrator() {
    Set<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      String p = c.getPackageName();
      if (p.startsWith("dev.plg360.jobs.")) {
        found.add(p.substring("dev.plg360.jobs.".length()).split("\\.")[0]);
      }
    }
    Set<String> known = new TreeSet<>(JOBS);
    known.addAll(ORCHESTRATORS);
    assertEquals(known, found, "a new package under dev.plg360.jobs is a job or an orchestrator: name it here");
  }

  @Test
  void aJobPackageUsesNoOtherJobPackageNorAnOrchestrator() {
    List<ArchRule> rules = new ArrayList<>();
    for (String job : JOBS) {
      List<String> others = new ArrayList<>(List.of("dev.plg360.jobs"));
      ORCHESTRATORS.forEach(o -> others.add("dev.plg360.jobs." + o + ".."));
      JOBS.stream().filter(j -> !j.equals(job)).forEach(j -> others.add("dev.plg360.jobs." + j + ".."));
      rules.add(noClasses().that().resideInAPackage("dev.plg360.jobs." + job + "..")
          .should().dependOnClassesThat().resideInAnyPackage(others.toArray(String[]::new))
          .because("what two jobs share lives in dev.plg360.common"));
    }
    CompositeArchRule.of(rules).check(classes);
  }

  @Test
  void thePackagesUnderJobsFormNoCycle() {
    slices().matching("dev.plg360.jobs.(*)..").should().beFreeOfCycles().check(classes);
  }

  /** The slices above leave out the command line's own package, which the chains and the jobs must not reach back to. */
  @Test
  void noPackageOfPlg360IsInACycle() {
    slices().matching("dev.plg360.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void commonUsesNothingOfJobs() {
    noClasses().that().resideInAPackage("dev.plg360.common..")
        .should().dependOnClassesThat().resideInAPackage("dev.plg360.jobs..")
        .check(classes);
  }
}
