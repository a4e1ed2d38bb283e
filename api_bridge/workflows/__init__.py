"""Saved ComfyUI workflows served as REST endpoints: conversion, input schema, registry, routes."""
