/** The operator's typed configuration ({@code jvisor.operator.*} in application.properties or the environment). */
package dev.jvisor.operator.config;
