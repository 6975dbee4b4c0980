"""Sensor feeds: readers (CSV, SensorThings, MQTT, LoRaWAN) and quality control."""
