package dev.plg360.jobs.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;

/** Where the simulation puts records: the files of one partition. Records of a feed arrive in day order. */
interface Landing {
  void json(Feed feed, LocalDate day, ObjectNode record);

  void csv(Feed feed, LocalDate day, Salesforce.Record record);

  /** The simulation finished the day: an export of the day's current values can be taken. */
  void endOfDay(LocalDate day);
}
