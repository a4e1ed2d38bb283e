"""One package per third-party API: request/response models, validation and the mapping to typed tasks."""
