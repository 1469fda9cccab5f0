package dev.jvisor.images;

import java.sql.Timestamp;
import java.util.logging.Logger;

/** A class for JdkModuleScannerTest: names java.sql only in a field type, java.logging in a call. */
final class UsesSqlAndLogging {
    Timestamp when;

    void log() {
        Logger.getLogger("x").info("x");
    }
}
