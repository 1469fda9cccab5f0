/**
 * Linux x86-64 ABI: numbers, flags and struct layouts the Sentry speaks, one class per header
 * area, each naming the C header it comes from. No behaviour lives here.
 */
package dev.jvisor.abi.linux;
