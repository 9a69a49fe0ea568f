"""The four peer activities. Each subpackage registers its activity type."""
