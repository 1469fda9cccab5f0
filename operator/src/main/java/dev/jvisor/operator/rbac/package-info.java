/**
 * The operator's RBAC, declared once as data next to the code that needs it and rendered to the manifest the Helm
 * chart installs ({@code operator/rbac/rbac.yaml}, checked by a drift test). Every rule says why it exists.
 */
package dev.jvisor.operator.rbac;
