package dev.plg360.common.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The current pointer as a promotion stopped at each of its steps leaves it. */
class ModelRegistryTest extends SparkTestBase {

  @TempDir
  Path dir;

  /** Deletes a pointer file as the registry's file system does: with its checksum file. */
  private void deletePointer(String name) throws Exception {
    Files.delete(dir.resolve(name));
    Files.deleteIfExists(dir.resolve("." + name + ".crc"));
  }

  @Test
  void aPromotionStoppedAtAnyStepLeavesTheOldVersionOrTheNewOneCurrent() throws Exception {
    Files.createDirectories(dir.resolve("v0001"));
    Files.createDirectories(dir.resolve("v0002"));
    ModelRegistry registry = new ModelRegistry(spark(), new org.apache.hadoop.fs.Path(dir.toUri()));
    assertEquals(Optional.empty(), registry.current(), "no pointer yet");
    Files.writeString(dir.resolve(ModelRegistry.CURRENT_STAGING), "v00");
    assertEquals(Optional.empty(), registry.current(), "a first pointer cut off while written names nothing");

    registry.promote("v0001");
    assertEquals(Optional.of("v0001"), registry.current());
    assertEquals(false, Files.exists(dir.resolve(ModelRegistry.CURRENT_STAGING)), "the staged pointer was renamed");

    Files.writeString(dir.resolve(ModelRegistry.CURRENT_STAGING), "v0002\n");
    assertEquals(Optional.of("v0001"), registry.current(), "stopped after staging the new pointer: the old one");
    deletePointer(ModelRegistry.CURRENT);
    assertEquals(Optional.of("v0002"), registry.current(), "stopped after removing the old pointer: the new one");

    registry.promote("v0002");
    assertEquals("v0002\n", Files.readString(dir.resolve(ModelRegistry.CURRENT)), "the next promotion repairs it");
  }
}
