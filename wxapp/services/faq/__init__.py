"""The FAQ bot as a service: answering and logging (`bot`), the live matcher each worker
serves from (`live_index`), and staff's editing of the knowledge base (`admin`). The
matching engine itself, free of Flask and the database, is `wxapp.faq`."""
