/** Anonymous files that exist only as file descriptors: eventfd and epoll instances. */
package dev.jvisor.sentry.fs.anon;
