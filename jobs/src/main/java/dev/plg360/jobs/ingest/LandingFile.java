package dev.plg360.jobs.ingest;

import java.io.Serializable;

/** A file in the landing zone: its full URI, its path relative to the landing folder, size and modification time. */
public record LandingFile(String uri, String path, long size, long modifiedAt) implements Serializable {}
