import streamlit as st

st.set_page_config(page_title="Backprop Lab", layout="wide")
st.title("Backprop Lab")
