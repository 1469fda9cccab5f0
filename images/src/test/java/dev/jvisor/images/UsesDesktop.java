package dev.jvisor.images;

import java.beans.Introspector;

/** A class for JdkModuleScannerTest: uses java.desktop (java.beans). */
final class UsesDesktop {
    String decapitalize(String s) {
        return Introspector.decapitalize(s);
    }
}
