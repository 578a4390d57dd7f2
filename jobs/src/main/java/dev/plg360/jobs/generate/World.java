package dev.plg360.jobs.generate;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The simulated entities of one partition: companies, people and workspaces, with the state the days change. */
final class World {
  private World() {}

  /** A company, or the personal "company" of a free-mail-only user (personal: no domain, not in Clearbit). */
  static final class Company {
    final long number;
    final String name;
    final String domain;
    final boolean personal;
    long employees;
    String industry;
    String sector;
    String country;
    String countryCode;
    boolean inClearbit;
    Map<String, Long> departments = new LinkedHashMap<>();
    List<String> tech = new ArrayList<>();
    final List<Workspace> workspaces = new ArrayList<>();
    final Set<String> localParts = new HashSet<>();
    /** The company's people the world has made so far: no more than its employees, but for a planted invite spike's. */
    long headcount;
    // CRM state
    String ownerId;
    Salesforce.Record account;
    Salesforce.Record opportunity;

    Company(long number, String name, String domain, boolean personal) {
      this.number = number;
      this.name = name;
      this.domain = domain;
      this.personal = personal;
    }
  }

  /** A person: a product user once they have a user id, and/or a lead or contact in the CRM. */
  static final class Person {
    final String first;
    final String last;
    final String email;
    final String title;
    final Company company;
    final boolean freeMail;
    String userId;
    String anonymousId;
    /** The company address a free-mail user writes to support from (realistic shapes), else null. */
    String workEmail;
    String ip;
    String userAgent;
    double propensity;
    final Set<String> workspaceIds = new LinkedHashSet<>();
    boolean marketable;
    boolean unsubscribed;
    Salesforce.Record lead;
    Salesforce.Record contact;

    Person(String first, String last, String email, String title, Company company, boolean freeMail) {
      this.first = first;
      this.last = last;
      this.email = email;
      this.title = title;
      this.company = company;
      this.freeMail = freeMail;
    }

    String name() {
      return first + " " + last;
    }
  }

  /** A workspace: one team's account in the product, with its plan, users and what the model sees. */
  static final class Workspace {
    final long number;
    final String id;
    final Company company;
    final LocalDate signupDay;
    final Instant signupAt;
    final boolean trial;
    final double engagement;
    final double decoyRate;
    final double[] featureWeights;
    final List<Person> users = new ArrayList<>();
    Person founder;

    // Observation window
    /** The days on which a member did something in the product (not only identify or group calls). */
    final Set<LocalDate> windowActiveDays = new HashSet<>();
    final Set<String> windowFeatures = new HashSet<>();
    int windowInvites;
    boolean windowIntegration;
    int windowPricingViews;
    int windowDecoyUses;

    // Label
    Double probability;
    Boolean converted;
    Instant convertedAt;

    // Product and billing state
    final Set<String> integrations = new LinkedHashSet<>();
    int projects;
    Plan plan;
    String status;
    long quantity;
    String subscriptionId;
    String customerId;
    Instant periodStart;
    LocalDate lastSeatUpdate;
    boolean paid;
    // Realistic billing: the subscription's own plan (a lapsed trial's stays on the trial plan while the product
    // falls back to free), its item, whether it began as a trial, its payment method and end.
    Plan billedPlan;
    String subscriptionItemId;
    Instant subscriptionCreatedAt;
    boolean subscriptionTrial;
    String paymentMethod;
    Instant canceledAt;

    // Planted patterns
    LocalDate surgeStart;
    double surgeFactor = 1;
    /** Days a member was active in the fortnight before the surge would start: a dormant workspace gets none. */
    int activeDaysBeforeSurge;
    LocalDate spikeDay;
    int spikeCount;
    long nearCapTarget;
    String nearCapPlan;

    Workspace(long number, Company company, LocalDate signupDay, Instant signupAt, boolean trial, double engagement,
              double decoyRate, double[] featureWeights) {
      this.number = number;
      this.id = Ids.workspace(number);
      this.company = company;
      this.signupDay = signupDay;
      this.signupAt = signupAt;
      this.trial = trial;
      this.engagement = engagement;
      this.decoyRate = decoyRate;
      this.featureWeights = featureWeights;
    }
  }
}
