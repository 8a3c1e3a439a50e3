package io.fleetrun.daemon;

import ch.qos.logback.core.rolling.RollingFileAppender;
import io.fleetrun.store.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * logback's rolling file appender, with its files private whatever the umask (logs name jobs,
 * instances and errors): the active log file is created {@code rw-------} (or made so), the
 * folders it creates {@code rwx------}. A rolled file is the active file renamed, so it keeps
 * that mode; compressed archives ({@code .gz}) are written by logback with the process umask and
 * are protected by the private folder (or by {@code umask 077}, which {@code bin/fleetrun} and the
 * systemd unit set). config/logback.xml names this class.
 */
public class PrivateRollingFileAppender<E> extends RollingFileAppender<E> {
  @Override
  public void openFile(String fileName) throws IOException {
    Path file = Path.of(fileName).toAbsolutePath();
    if (file.getParent() != null) {
      PrivateFiles.createFolders(file.getParent());
    }
    // logback's own status list: this runs while logging is being set up or rolled over.
    PrivateFiles.createOrTighten(file).ifPresent(t -> addWarn(t.toString()));
    super.openFile(fileName);
  }
}
