"Widgets and the app to compare dense and Top-K networks"
